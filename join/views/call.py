"""The join page and what a pass holder uses (no login: the pass is the key): the page itself, its QR code, the
host site's moderation, a test call through the pass, and the test call's own page and result.

The join page and the test-call page need the camera, the microphone and screen capture: they say so with a
`Permissions-Policy` for their own origin only, stay unframeable (X-Frame-Options DENY), are never cached, and
send no Referer to other origins (their address holds the pass; same-origin keeps CSRF Origin checks working).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View

from districts.access import has_role
from districts.models import Agency, Site
from meetings.backends.base import MediaServerError
from meetings.models import MediaServer
from meetings.services.reservations import room_join_target
from meetings.views import document_file_response

from .. import selectors, services
from ..links import agency_marker, join_path, join_url, pass_moderate_path, pass_test_path, site_marker
from ..qr import qr_svg_document
from ._common import JOINING_ROLES, _capability_page

logger = logging.getLogger(__name__)

CALL_PERMISSIONS = "camera=(self), microphone=(self), display-capture=(self), fullscreen=(self), autoplay=(self)"


def _call_page(response: HttpResponse, *, media_url: str) -> HttpResponse:
    response["Permissions-Policy"] = CALL_PERMISSIONS
    # The page talks to the media server from the browser: allow that one origin (nothing more) in the CSP.
    origin = urlsplit(media_url)
    if origin.scheme and origin.netloc:
        response._csp_update = {"connect-src": [f"{origin.scheme}://{origin.netloc}"]}
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _ice_servers() -> list:
    """STUN/TURN servers for the browsers (none on an offline network): settings.MEETINGS_JOIN_ICE_SERVERS."""
    return list(settings.MEETINGS_JOIN_ICE_SERVERS)


# --- the join page (no login: the pass is the key) ---------------------------------------------------------


def _refused(request, join_pass, state: selectors.PassState) -> HttpResponse:
    context = {"title": state.title, "message": state.message, "join_pass": join_pass, "state": state}
    if join_pass is not None and state.allows_test_call and not join_pass.is_agency:
        context["test_call_action"] = pass_test_path(join_pass.token)
    return _capability_page(render(request, "join/refused.html", context, status=state.status))


def _unknown_pass(request) -> HttpResponse:
    return _capability_page(
        render(
            request,
            "join/refused.html",
            {"title": "ไม่พบลิงก์เข้าร่วมประชุมนี้",
             "message": "ตรวจว่าพิมพ์หรือคัดลอกลิงก์มาครบถ้วน หรือเปิดหน้าของสถานที่ในระบบ prachum เพื่อรับลิงก์"},
            status=404,
        )
    )


def _call_config(request, *, mode: str, server: MediaServer, room_number: int, pin: str, display: str,
                 site: Site | Agency, moderator: bool, ends_at, media_token: str, **extra) -> dict:
    return {
        "mode": mode,
        "kind": server.kind,
        "server": server.public_url or server.url,
        # Janus token_auth: the token the portal added on that server for this pass (or test call) alone.
        "token": media_token,
        "room": room_number,
        "pin": pin,
        "display": display,
        "site": site.name,
        "moderator": moderator,
        "iceServers": _ice_servers(),
        "csrfToken": get_token(request),
        "endsAt": ends_at.isoformat() if ends_at else None,
        **extra,
    }


# A link's code never changes (a renewed link is a new link): the browser keeps the image for a day.
QR_IMAGE_MAX_AGE = 60 * 60 * 24


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class JoinPassQrView(View):
    """The QR code of a pass's join link as an SVG image: the site's page shows it with `loading="lazy"` (a phone
    fetches it only when it scrolls to it, and keeps it), the printed sheet inlines its own. The token is the
    capability, as for the link it encodes; a revoked or unknown pass has no code (404). One query."""

    def get(self, request, token: str):
        if not selectors.join_pass_is_current(token=token):
            raise Http404("ไม่พบลิงก์เข้าร่วมประชุมนี้ หรือมีการออกลิงก์ใหม่แทนแล้ว")
        response = HttpResponse(qr_svg_document(join_url(token)), content_type="image/svg+xml")
        response["Cache-Control"] = f"private, max-age={QR_IMAGE_MAX_AGE}"
        response["Referrer-Policy"] = "same-origin"
        return response


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class JoinPageView(View):
    """The link a site opens: its meeting's room in prachum's page (Janus) or the Jitsi room with its JWT.

    It only reads (one query), so it runs outside the request's transaction: no BEGIN and COMMIT round trips.
    """

    def get(self, request, token: str):
        join_pass = selectors.join_pass_get(token=token)
        if join_pass is None:
            return _unknown_pass(request)
        state = selectors.pass_state(join_pass)
        if not state.is_open:
            return _refused(request, join_pass, state)
        meeting, site = join_pass.meeting, join_pass.holder  # an invited agency's pass: the agency, never moderator
        room = meeting.room
        display = agency_marker(site) if join_pass.is_agency else site_marker(site)
        if room.server.kind == MediaServer.Kind.JITSI:
            try:
                if join_pass.is_agency:
                    target = services.agency_join_target(join_pass=join_pass, display=display)
                else:
                    target = room_join_target(room=room, site=site, display=display)
            except MediaServerError:
                logger.exception("cannot make the Jitsi link of meeting %s", meeting.pk)
                return _refused(request, join_pass, selectors.PassState(
                    "not_ready", 503, "ห้องประชุมยังไม่พร้อม", "สร้างลิงก์เข้าห้องประชุมไม่สำเร็จ: ลองใหม่อีกครั้ง"))
            return _capability_page(HttpResponseRedirect(target.url))
        config = _call_config(
            request, mode="meeting", server=room.server, room_number=room.number, pin=room.pin, display=display,
            site=site, moderator=join_pass.is_moderator, ends_at=meeting.end, media_token=join_pass.media_token,
            moderateUrl=pass_moderate_path(token) if join_pass.is_moderator else "",
            testUrl="" if join_pass.is_agency else pass_test_path(token),  # a test call is a site's room
        )
        context = {"config": config, "join_pass": join_pass, "meeting": meeting, "site": site, "mode": "meeting"}
        return _call_page(render(request, "join/call.html", context), media_url=config["server"])


class ShortCodeView(View):
    """The short form of a join link (printed large on the sheet, read over the phone): /k/ asks for the 12 digits,
    /k/<digits>/ (or the box's answer) sends the browser to the pass's join page. From the day before the meeting
    until its end; nginx limits guesses per address. A wrong or stale code is told so, never which part."""

    def get(self, request, code: str = ""):
        typed = code or request.GET.get("code", "")
        if not typed:
            return _capability_page(render(request, "join/short_code.html", {}))
        join_pass = selectors.join_pass_by_short_code(code=typed)
        if join_pass is None:
            context = {"typed": typed[:40], "error": (
                "ไม่พบรหัสนี้ หรือยังไม่ถึงวันประชุม: ตรวจตัวเลข 12 หลักบนใบขั้นตอนอีกครั้ง "
                "(รหัสใช้ได้ตั้งแต่วันก่อนประชุมจนประชุมเสร็จ)")}
            return _capability_page(render(request, "join/short_code.html", context, status=404))
        return _capability_page(HttpResponseRedirect(join_path(join_pass.token)))


class PassDocumentsView(View):
    """The meeting's documents for the pass holder (the room's notebook needs no login), from the join page: the
    list, or one file. Any time before the meeting is over, like a test call; a revoked or unknown pass gets
    nothing."""

    def get(self, request, token: str, document_id: int | None = None):
        join_pass = selectors.join_pass_get(token=token)
        if join_pass is None:
            return _unknown_pass(request)
        state = selectors.pass_state(join_pass)
        if not state.allows_test_call:  # revoked, cancelled, uninvited, over
            return _refused(request, join_pass, state)
        if document_id is not None:
            document = selectors.join_pass_document(join_pass=join_pass, document_id=document_id)
            if document is None:
                raise Http404("ไม่พบเอกสารนี้ในการประชุมนี้")
            return _capability_page(document_file_response(document))
        documents = selectors.meeting_documents(meeting_ids=[join_pass.meeting_id]).get(join_pass.meeting_id, [])
        context = {"join_pass": join_pass, "meeting": join_pass.meeting, "documents": documents, "token": token}
        return _capability_page(render(request, "join/documents.html", context))


class PassModerateView(View):
    """The host site's page asks the portal to mute or remove a participant; the portal does it with the secret."""

    def post(self, request, token: str):
        join_pass = selectors.join_pass_get(token=token)
        if join_pass is None:
            return JsonResponse({"ok": False, "error": "ไม่พบลิงก์นี้"}, status=404)
        state = selectors.pass_state(join_pass)
        if not state.is_open:
            return JsonResponse({"ok": False, "error": state.title}, status=403)
        if not join_pass.is_moderator:
            return JsonResponse(
                {"ok": False, "error": "เฉพาะสถานที่ประธานของการประชุมเท่านั้นที่ปิดเสียงหรือนำสถานที่อื่นออกได้"},
                status=403,
            )
        try:
            target = services.participant_moderate(
                join_pass=join_pass, participant_id=request.POST.get("participant", ""),
                action=request.POST.get("action", ""),
            )
        except ValidationError as error:
            return JsonResponse({"ok": False, "error": " ".join(error.messages)}, status=400)
        except services.MediaUnavailable as error:
            return JsonResponse({"ok": False, "error": str(error)}, status=503)
        return JsonResponse({"ok": True, "participant": target.id, "display": target.display})


class PassTestCallStartView(View):
    """A test call through a site's pass (the room's notebook needs no login), any time before the meeting ends."""

    def post(self, request, token: str):
        join_pass = selectors.join_pass_get(token=token)
        if join_pass is None:
            return _unknown_pass(request)
        state = selectors.pass_state(join_pass)
        if not state.allows_test_call:
            return _refused(request, join_pass, state)
        if join_pass.is_agency:
            return _capability_page(render(request, "join/refused.html", {
                "title": "ลิงก์ของส่วนราชการไม่มีห้องทดสอบ",
                "message": "ตรวจกล้องและไมโครโฟนได้ที่ขั้นที่ 1 ของหน้าเข้าร่วมประชุม เมื่อถึงเวลาเปิดห้อง",
                "join_pass": join_pass}, status=403))
        try:
            test_call = services.site_test_call_start(site=join_pass.site, join_pass=join_pass)
        except services.MediaUnavailable as error:
            return _capability_page(render(
                request, "join/refused.html", {"title": "ทดสอบระบบไม่ได้ในขณะนี้", "message": str(error)},
                status=503,
            ))
        return redirect("join:test-call", token=test_call.token)


# --- test calls (the test call's own token) ----------------------------------------------------------------


class TestCallPageView(View):
    """The site sees and hears itself through the media server, then says whether it did."""

    def get(self, request, token: str):
        test_call = selectors.site_test_call_get(token=token)
        if test_call is None:
            return _unknown_pass(request)
        if not services.site_test_call_is_open(test_call) or test_call.server is None:
            return _capability_page(render(
                request, "join/refused.html",
                {"title": "การทดสอบนี้จบแล้ว", "message": "เริ่มทดสอบใหม่ได้จากหน้าของสถานที่ หรือจากลิงก์เข้าร่วมประชุม",
                 "test_call": test_call},
                status=410,
            ))
        config = _call_config(
            request, mode="test", server=test_call.server, room_number=test_call.room_number, pin=test_call.pin,
            display=site_marker(test_call.site), site=test_call.site, moderator=False,
            ends_at=test_call.started_at + services.TEST_CALL_LIFETIME, media_token=test_call.media_token,
            resultUrl=reverse("join:test-call-result", kwargs={"token": token}),
        )
        context = {"config": config, "test_call": test_call, "site": test_call.site, "mode": "test"}
        return _call_page(render(request, "join/call.html", context), media_url=config["server"])


def _test_done_context(request, test_call) -> dict:
    """Where the clerk goes next: back to the meeting's join page and a new test through the pass they came with
    (while it is valid), or their site's page when signed in."""
    context = {"test_call": test_call}
    join_pass = test_call.join_pass
    if join_pass is not None and join_pass.revoked_at is None:
        context["join_page"] = join_path(join_pass.token)
        context["test_again"] = pass_test_path(join_pass.token)
    if request.user.is_authenticated and has_role(request.user, JOINING_ROLES):
        context["site_page"] = reverse("site:page", kwargs={"code": test_call.site.code})
        context.setdefault("test_again", reverse("join:site-test-call", kwargs={"code": test_call.site.code}))
    return context


class TestCallResultView(View):
    """What the clerk answered (form or fetch), or what the browser measured (fetch, media_flowing)."""

    ANSWERS = {"ok": (True, True), "no_video": (False, None), "no_audio": (None, False)}

    @staticmethod
    def _flag(value: str | None) -> bool | None:
        if value in (None, ""):
            return None
        return value.lower() in {"1", "true", "yes", "on"}

    def post(self, request, token: str):
        test_call = selectors.site_test_call_get(token=token)
        if test_call is None:
            return JsonResponse({"ok": False, "error": "ไม่พบการทดสอบนี้"}, status=404)
        if test_call.started_at < timezone.now() - services.TEST_CALL_LIFETIME - timedelta(minutes=5):
            return JsonResponse({"ok": False, "error": "การทดสอบนี้หมดเวลาแล้ว"}, status=410)
        answer = request.POST.get("answer", "")
        saw_video, heard_audio = self.ANSWERS.get(answer, (None, None))
        recorded = services.site_test_call_record(
            test_call=test_call,
            saw_video=saw_video if answer else self._flag(request.POST.get("saw_video")),
            heard_audio=heard_audio if answer else self._flag(request.POST.get("heard_audio")),
            media_flowing=self._flag(request.POST.get("media_flowing")),
        )
        if request.headers.get("Accept", "").startswith("application/json") or request.htmx:
            return JsonResponse({"ok": True, "result": recorded.result, "text": recorded.get_result_display()})
        return _capability_page(render(request, "join/test_done.html", _test_done_context(request, recorded)))

