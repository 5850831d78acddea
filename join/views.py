"""Pages of joining: the clerk's files (.ics, join sheet, feed), the join page, test calls, the control centre and
the attendance report. Views parse, call a service or a selector, and render; the rules live in those.

The join page and the test-call page need the camera, the microphone and screen capture: they say so with a
`Permissions-Policy` for their own origin only, stay unframeable (X-Frame-Options DENY), are never cached, and
send no Referer to other origins (their address holds the pass; same-origin keeps CSRF Origin checks working).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import TemplateView

from districts.access import Role, RoleRequiredMixin, has_role, require_site, staff_of
from districts.models import Site
from districts.selectors import site_get_by_code
from foundation.thaidate import BANGKOK, format_be_long, format_be_short
from meetings.backends.base import MediaServerError
from meetings.calendar import meeting_ics, site_feed_ics
from meetings.models import MediaServer
from meetings.services.reservations import room_join_target

from . import selectors, services
from .exporters import EXPORTERS, AttendanceExport
from .links import (
    feed_url,
    join_qr_path_maker,
    join_url,
    join_url_maker,
    pass_moderate_path,
    pass_test_path,
    portal_url,
    site_marker,
    site_meeting_paths_maker,
)
from .qr import qr_svg_document, qr_svgs

logger = logging.getLogger(__name__)

CALL_PERMISSIONS = "camera=(self), microphone=(self), display-capture=(self), fullscreen=(self), autoplay=(self)"
JOINING_ROLES = (Role.CLERK, Role.SCHEDULER, Role.ADMINISTRATOR)
CONTROL_ROLES = (Role.SCHEDULER, Role.ADMINISTRATOR)
# How often the control centre's board asks the portal again (it shows what the periodic poll last wrote).
BOARD_REFRESH_SECONDS = 5


def board_refresh_seconds() -> int:
    return max(1, int(getattr(settings, "MEETINGS_CONTROL_REFRESH_SECONDS", BOARD_REFRESH_SECONDS)))


def _call_page(response: HttpResponse, *, media_url: str) -> HttpResponse:
    response["Permissions-Policy"] = CALL_PERMISSIONS
    # The page talks to the media server from the browser: allow that one origin (nothing more) in the CSP.
    origin = urlsplit(media_url)
    if origin.scheme and origin.netloc:
        response._csp_update = {"connect-src": [f"{origin.scheme}://{origin.netloc}"]}
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _capability_page(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _ice_servers() -> list:
    """STUN/TURN servers for the browsers (none on an offline network): settings.MEETINGS_JOIN_ICE_SERVERS."""
    return list(settings.MEETINGS_JOIN_ICE_SERVERS)


def _organizer_email() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


# --- the clerk's side: their site's files ------------------------------------------------------------------


def site_page_context(*, user, site: Site, everything: bool = False) -> dict:
    """What the site's page (SitePageView) shows of its meetings (today and the next
    CLERK_DAYS days, or `everything` ahead), its test call and its calendar feed, and until when that stays
    true (`site_page_valid_until`: a Join button opens, a meeting ends, the day changes)."""
    can_join = has_role(user, JOINING_ROLES)
    days = None if everything else selectors.CLERK_DAYS
    listing = selectors.clerk_meetings(site=site, days=days)
    entries = listing.entries
    context = {
        "site_meetings": entries, "can_join": can_join, "later": listing.later, "everything": days is None,
        "days_ahead": selectors.CLERK_DAYS, "site_page_valid_until": listing.valid_until,
    }
    if can_join:
        link_of, qr_of, paths_of = join_url_maker(), join_qr_path_maker(), site_meeting_paths_maker(site.code)
        for entry in entries:
            entry.join_url = link_of(entry.join_pass.token) if entry.join_pass else ""
            entry.qr_src = qr_of(entry.join_pass.token) if entry.join_pass else ""
            entry.urls = paths_of(entry.meeting.pk)
        feed = selectors.site_calendar_feed(site=site)
        context["feed_url"] = feed_url(feed.token) if feed else ""
        context["last_test_call"] = selectors.site_last_test_call(site=site)
    return context


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class SitePageView(RoleRequiredMixin, TemplateView):
    """A site's own page: what the clerk opens every morning — its meetings with their join buttons, calendar
    files, QR codes and join sheets, the test call and the calendar feed; `?all=1` lists every coming meeting
    instead of the next two weeks. Rendered from the database each time, at a fixed number of queries; it only
    reads (passes exist from the moment a site is invited, the feed from the clerk's first "new link"), so it
    runs outside the request's transaction."""

    allowed_roles = tuple(Role.values)
    template_name = "districts/site_detail.html"

    def get_site(self) -> Site:
        code = self.kwargs["code"]
        staff = staff_of(self.request.user)
        if staff is not None and staff.site.code == code:
            return staff.site  # their own site: read with their Staff row (and its district and province)
        site = site_get_by_code(code=code)
        if site is None:
            raise Http404("ไม่พบสถานที่นี้")
        return site

    def get_context_data(self, **kwargs):
        site = self.get_site()
        require_site(self.request.user, site)
        everything = self.request.GET.get("all") == "1"
        context = site_page_context(user=self.request.user, site=site, everything=everything)
        return super().get_context_data(site=site, **context, **kwargs)


class SiteMixin(RoleRequiredMixin):
    """A page about one site (by its code) that only people who may see that site open."""

    allowed_roles = JOINING_ROLES

    def get_site(self) -> Site:
        site = site_get_by_code(code=self.kwargs["code"])
        if site is None:
            raise Http404("ไม่พบสถานที่นี้")
        require_site(self.request.user, site)
        return site

    def get_entry(self, site: Site) -> selectors.ClerkMeeting:
        entry = selectors.clerk_meeting_get(site=site, meeting_id=self.kwargs["pk"])
        if entry is None:
            raise Http404("สถานที่นี้ไม่ได้อยู่ในการประชุมนี้")
        return entry


class MeetingIcsView(SiteMixin, View):
    """The meeting as a calendar file for the site (with the site's own join link)."""

    def get(self, request, code: str, pk: int):
        site = self.get_site()
        entry = self.get_entry(site)
        link = join_url(entry.join_pass.token) if entry.join_pass else None
        body = meeting_ics(
            meeting=entry.meeting, method="PUBLISH", join_url=link, organizer_email=_organizer_email(),
            location=site.meeting_room or site.name,
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="prachum-{entry.meeting.pk}-{site.code}.ics"'
        return _capability_page(response)


def _sheet_context(site: Site, entry: selectors.ClerkMeeting) -> dict:
    meeting = entry.meeting
    link = join_url(entry.join_pass.token) if entry.join_pass else ""
    local_start, local_end = meeting.start.astimezone(BANGKOK), meeting.end.astimezone(BANGKOK)
    return {
        "site": site,
        "entry": entry,
        "meeting": meeting,
        "join_link": link,
        "qr": qr_svgs([(link, meeting.title)], scale=5)[0] if link else "",
        "date_long": format_be_long(meeting.start),
        "time_text": f"{local_start:%H:%M}–{local_end:%H:%M} น.",
        "opens_text": f"{format_be_short(entry.opens_at)} {entry.opens_at.astimezone(BANGKOK):%H:%M} น.",
        "checklist": [item for item in (site.equipment_checklist or []) if str(item).strip()],
        "printed_at": format_be_short(timezone.now(), with_time=True),
    }


class JoinSheetView(SiteMixin, TemplateView):
    """The printable one-page join sheet (A4, Thai): open it and print, or take the PDF."""

    template_name = "join/sheet.html"

    def get_context_data(self, **kwargs):
        site = self.get_site()
        return super().get_context_data(**_sheet_context(site, self.get_entry(site)), **kwargs)


class JoinSheetPdfView(SiteMixin, View):
    def get(self, request, code: str, pk: int):
        from weasyprint import CSS, HTML  # noqa: PLC0415 - WeasyPrint (Pango) is loaded only when a PDF is drawn

        site = self.get_site()
        entry = self.get_entry(site)
        context = _sheet_context(site, entry) | {"for_pdf": True}
        html = render(request, "join/sheet.html", context).content.decode()
        # The sheet's stylesheet from the static files on disk: WeasyPrint fetches nothing over the network.
        stylesheet = CSS(filename=finders.find("join/sheet.css"))
        pdf = HTML(string=html, base_url=portal_url("/")).write_pdf(stylesheets=[stylesheet])
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="join-sheet-{entry.meeting.pk}-{site.code}.pdf"'
        return _capability_page(response)


class JoinPassRenewView(SiteMixin, View):
    """A new join link for the site (the old one stops working): for a link that went where it should not."""

    def post(self, request, code: str, pk: int):
        site = self.get_site()
        entry = self.get_entry(site)
        try:
            services.join_pass_renew(meeting=entry.meeting, site=site, by=request.user)
        except ValidationError as error:  # cancelled or over: nothing to renew
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"ออกลิงก์เข้าร่วมใหม่ของ “{entry.meeting.title}” แล้ว: ลิงก์และคิวอาร์โค้ดเดิมใช้ไม่ได้อีก "
                "โปรดส่งลิงก์ใหม่ให้ผู้ที่ต้องใช้"
            )
        return redirect("site:page", code=site.code)


class FeedRenewView(SiteMixin, View):
    def post(self, request, code: str):
        site = self.get_site()
        services.calendar_feed_renew(site=site)
        messages.success(
            request, "ออกลิงก์ปฏิทินใหม่แล้ว: ปฏิทินที่สมัครด้วยลิงก์เดิมจะไม่ได้รับการประชุมอีก โปรดสมัครใหม่ด้วยลิงก์ใหม่"
        )
        return redirect("site:page", code=site.code)


def calendar_feed(request, token: str):
    """The site's subscribed calendar (no login: the secret address is the key)."""
    feed = selectors.calendar_feed_get(token=token)
    if feed is None:
        raise Http404("ไม่พบปฏิทินนี้ หรือมีการออกลิงก์ใหม่แล้ว")
    meetings = selectors.feed_meetings(site=feed.site)

    def link(meeting):
        passes = getattr(meeting, "site_passes", [])
        return join_url(passes[0].token) if passes else None

    body = site_feed_ics(site=feed.site, meetings=meetings, url_for_meeting=link)
    return _capability_page(HttpResponse(body, content_type="text/calendar; charset=utf-8"))


class SiteTestCallStartView(SiteMixin, View):
    """A clerk starts a test call of their site (any time)."""

    def post(self, request, code: str):
        site = self.get_site()
        try:
            test_call = services.site_test_call_start(site=site, user=request.user)
        except services.MediaUnavailable as error:
            return render(request, "join/refused.html",
                          {"title": "ทดสอบระบบไม่ได้ในขณะนี้", "message": str(error)}, status=503)
        return redirect("join:test-call", token=test_call.token)


# --- the join page (no login: the pass is the key) ---------------------------------------------------------


def _refused(request, join_pass, state: selectors.PassState) -> HttpResponse:
    context = {"title": state.title, "message": state.message, "join_pass": join_pass, "state": state}
    if join_pass is not None and state.allows_test_call:
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
                 site: Site, moderator: bool, ends_at, **extra) -> dict:
    return {
        "mode": mode,
        "kind": server.kind,
        "server": server.public_url or server.url,
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
        meeting, site = join_pass.meeting, join_pass.site
        room = meeting.room
        display = site_marker(site)
        if room.server.kind == MediaServer.Kind.JITSI:
            try:
                target = room_join_target(room=room, site=site, display=display)
            except MediaServerError:
                logger.exception("cannot make the Jitsi link of meeting %s", meeting.pk)
                return _refused(request, join_pass, selectors.PassState(
                    "not_ready", 503, "ห้องประชุมยังไม่พร้อม", "สร้างลิงก์เข้าห้องประชุมไม่สำเร็จ: ลองใหม่อีกครั้ง"))
            return _capability_page(HttpResponseRedirect(target.url))
        config = _call_config(
            request, mode="meeting", server=room.server, room_number=room.number, pin=room.pin, display=display,
            site=site, moderator=join_pass.is_moderator, ends_at=meeting.end,
            moderateUrl=pass_moderate_path(token) if join_pass.is_moderator else "",
            testUrl=pass_test_path(token),
        )
        context = {"config": config, "join_pass": join_pass, "meeting": meeting, "site": site, "mode": "meeting"}
        return _call_page(render(request, "join/call.html", context), media_url=config["server"])


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
            ends_at=test_call.started_at + services.TEST_CALL_LIFETIME,
            resultUrl=reverse("join:test-call-result", kwargs={"token": token}),
        )
        context = {"config": config, "test_call": test_call, "site": test_call.site, "mode": "test"}
        return _call_page(render(request, "join/call.html", context), media_url=config["server"])


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
        return _capability_page(render(request, "join/test_done.html", {"test_call": recorded}))


# --- control centre and attendance (province staff) --------------------------------------------------------


class ControlCentreView(RoleRequiredMixin, TemplateView):
    """Today's meetings of the province and, for each, which sites are connected, refreshed every few seconds."""

    allowed_roles = CONTROL_ROLES
    template_name = "join/control.html"

    def get_context_data(self, **kwargs):
        province_id = staff_of(self.request.user).site.province_id
        return super().get_context_data(
            **board_context(self.request), recent=selectors.recent_meetings(province_id=province_id), **kwargs
        )


def board_context(request) -> dict:
    """The board as the periodic task recorded it (join/tasks.py asks the media servers every few seconds)."""
    province_id = staff_of(request.user).site.province_id
    now = timezone.now()
    boards = selectors.control_centre(province_id=province_id, now=now)
    return {"boards": boards, "refresh_seconds": board_refresh_seconds(), "now": now}


class ControlBoardView(RoleRequiredMixin, TemplateView):
    """The board alone, for htmx to swap in."""

    allowed_roles = CONTROL_ROLES
    template_name = "join/_board.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**board_context(self.request), **kwargs)


class AttendanceMixin(RoleRequiredMixin):
    allowed_roles = CONTROL_ROLES

    def get_report(self) -> selectors.AttendanceReport:
        province_id = staff_of(self.request.user).site.province_id
        meeting = selectors.meeting_for_report(meeting_id=self.kwargs["pk"], province_id=province_id)
        if meeting is None:
            raise Http404("ไม่พบการประชุมนี้")
        return selectors.attendance_report(meeting=meeting)


class AttendanceReportView(AttendanceMixin, TemplateView):
    """The attendee section of the minutes (ผู้มาประชุม, ผู้ไม่มาประชุม, ผู้เข้าร่วมประชุม), printable."""

    template_name = "join/attendance.html"

    def get_context_data(self, **kwargs):
        report = self.get_report()
        return super().get_context_data(
            report=report, meeting=report.meeting, date_long=format_be_long(report.meeting.start),
            late_minutes=int(selectors.LATE_AFTER.total_seconds() // 60), **kwargs,
        )


class AttendanceExportView(AttendanceMixin, View):
    """The attendance report as CSV (UTF-8 with BOM, so Excel shows the Thai), XLSX or PDF, through the join app's
    exporter registry (join/exporters.py). Exports of personal data are logged."""

    def get(self, request, pk: int, file_format: str = "csv"):
        if file_format not in AttendanceExport.formats:
            raise Http404("ไม่มีรายงานในรูปแบบนี้: เลือก csv, xlsx หรือ pdf")
        report = self.get_report()
        exporter = EXPORTERS["attendance"](params={}, scope=report)
        filename, content_type, content = exporter.render(file_format)
        services.attendance_export_record(
            meeting=report.meeting, user=request.user, rows=len(report.sites), file_format=file_format
        )
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response
