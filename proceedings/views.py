"""The roll-call and vote pages: what a site's pass holder (the join page's panel, the roll page) and a site's
signed-in clerk use, and the chair's live view and controls (the meeting page's section, the control centre's
link). Views parse and render: the services write, the selectors read.

- `p/<token>/...`: no login, the pass is the key (as the join page, join/views/call.py): a revoked or unknown pass
  gets nothing; the page's answers are never cached and send no Referer elsewhere.
- `meeting/<pk>/site/<code>/roll/`: the site's clerk (their own site), the province's schedulers and
  administrators (any site of the province); anyone else 403, another province's meeting 404.
- `meeting/<pk>/...` (chair): the province's schedulers and administrators; another province's meeting 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from districts.access import Role, RoleRequiredMixin, require_site
from districts.selectors import site_get_by_code
from join import selectors as join_selectors
from join.models import JoinPass
from meetings import selectors as meeting_selectors

from . import selectors, services
from .models import RollEntry, Vote

JOINING_ROLES = (Role.CLERK, Role.SCHEDULER, Role.ADMINISTRATOR)
CHAIR_ROLES = (Role.SCHEDULER, Role.ADMINISTRATOR)
# How often the chair's view and the join page's panel ask again (seconds).
CHAIR_REFRESH_SECONDS = 4
PANEL_REFRESH_SECONDS = 4


def _capability_page(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- the pass holder (no login) ------------------------------------------------------------------------------


def _usable_pass(token: str) -> JoinPass:
    """The pass, when it may still act for its holder (before the meeting is over, not revoked, not cancelled,
    still invited); otherwise 404 (unknown) or 410 with the reason, as the join page says it."""
    join_pass = join_selectors.join_pass_get(token=token)
    if join_pass is None:
        raise Http404(_("ไม่พบลิงก์เข้าร่วมประชุมนี้"))
    return join_pass


def _pass_refused(request, join_pass: JoinPass) -> HttpResponse | None:
    state = join_selectors.pass_state(join_pass)
    if state.allows_test_call:  # open, early or the room not ready: the roll and votes still work
        return None
    return _capability_page(render(request, "proceedings/refused.html",
                                   {"title": state.title, "message": state.message}, status=state.status))


def _panel_context(join_pass: JoinPass, *, error: str = "", notice: str = "") -> dict:
    board = selectors.roll_board(meeting=join_pass.meeting)
    rows = selectors.vote_rows(meeting=join_pass.meeting, board=board)
    key = selectors.pass_holder_key(join_pass)
    mine = next((roll for roll in board if selectors.pass_holder_key(roll.join_pass) == key), None)
    attendees = [entry.name for entry in mine.attendees] if mine else []
    open_rows, closed_rows = [], []
    for row in rows:
        if row.vote.status == Vote.Status.OPEN:
            if row.vote.by == Vote.By.PERSON:
                voters = [(name, (key, name) in row.voted_keys) for name in attendees]
            else:
                voters = [("", (key, "") in row.voted_keys)]
            open_rows.append({"row": row, "voters": voters})
        else:
            closed_rows.append(row)
    return {
        "join_pass": join_pass, "token": join_pass.token, "open_rows": open_rows, "closed_rows": closed_rows,
        "may_vote": bool(join_pass.site_id), "roll": mine, "error": error, "notice": notice,
        "refresh_seconds": PANEL_REFRESH_SECONDS, "choices": list(selectors.CHOICE_LABELS.items()),
    }


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class PassPanelView(View):
    """The join page's panel (htmx, every few seconds): the open vote's ballot, the closed votes' results, the
    site's roll in short and the link to record it. It only reads."""

    def get(self, request, token: str):
        join_pass = _usable_pass(token)
        refused = _pass_refused(request, join_pass)
        if refused is not None:
            return refused
        return _capability_page(render(request, "proceedings/_panel.html", _panel_context(join_pass)))


class PassVoteView(View):
    """A site's ballot from its join page (htmx: the panel comes back; without JavaScript: back to the page)."""

    def post(self, request, token: str, vote_id: int):
        join_pass = _usable_pass(token)
        vote = selectors.vote_get(meeting_id=join_pass.meeting_id, vote_id=vote_id)
        if vote is None:
            raise Http404(_("ไม่พบการลงมตินี้ในการประชุมนี้"))
        error = notice = ""
        try:
            services.vote_cast(vote=vote, join_pass=join_pass, choice=request.POST.get("choice", ""),
                               person=request.POST.get("person", ""), by=request.user)
            notice = _("บันทึกการลงมติแล้ว")
        except ValidationError as refusal:
            error = _messages_of(refusal)
        status = 400 if error else 200
        if request.htmx:
            return _capability_page(render(request, "proceedings/_panel.html",
                                           _panel_context(join_pass, error=error, notice=notice), status=status))
        if error:
            return _capability_page(render(request, "proceedings/refused.html",
                                           {"title": _("ลงมติไม่ได้"), "message": error,
                                            "back": reverse("j:page", kwargs={"token": token})}, status=400))
        return _capability_page(HttpResponseRedirect(reverse("j:page", kwargs={"token": token})))


def _roll_context(join_pass: JoinPass, *, action: str, remove_action, back: str, errors: str = "",
                  values: dict | None = None) -> dict:
    roll = selectors.holder_roll(join_pass=join_pass)
    usual = selectors.usual_people(join_pass=join_pass, exclude=[entry.name for entry in roll.entries])
    return {
        "join_pass": join_pass, "meeting": join_pass.meeting, "holder": selectors.pass_holder_name(join_pass),
        "roll": roll, "rows": [(entry, remove_action(entry.pk)) for entry in roll.entries],
        "usual": usual, "action": action, "back": back,
        "errors": errors, "values": values or {}, "roles": RollEntry.Role.choices,
    }


def _record(request, join_pass: JoinPass) -> tuple[str, dict]:
    values = {key: request.POST.get(key, "") for key in ("name", "position", "role", "reason")}
    try:
        services.roll_entry_record(join_pass=join_pass, by=request.user, **values)
    except ValidationError as refusal:
        return _messages_of(refusal), values
    return "", {}


class PassRollView(View):
    """The roll of the pass's holder, recorded from the room's notebook through its pass."""

    def _context(self, join_pass, **kwargs) -> dict:
        token = join_pass.token
        return _roll_context(
            join_pass, action=reverse("proceedings:pass-roll", kwargs={"token": token}),
            remove_action=lambda entry_id: reverse("proceedings:pass-roll-remove",
                                                   kwargs={"token": token, "entry_id": entry_id}),
            back=reverse("j:page", kwargs={"token": token}), **kwargs,
        )

    def get(self, request, token: str):
        join_pass = _usable_pass(token)
        refused = _pass_refused(request, join_pass)
        if refused is not None:
            return refused
        return _capability_page(render(request, "proceedings/roll.html", self._context(join_pass)))

    def post(self, request, token: str):
        join_pass = _usable_pass(token)
        errors, values = _record(request, join_pass)
        if errors:
            return _capability_page(render(request, "proceedings/roll.html",
                                           self._context(join_pass, errors=errors, values=values), status=400))
        return _capability_page(HttpResponseRedirect(reverse("proceedings:pass-roll", kwargs={"token": token})))


class PassRollRemoveView(View):
    def post(self, request, token: str, entry_id: int):
        join_pass = _usable_pass(token)
        try:
            services.roll_entry_remove(join_pass=join_pass, entry_id=entry_id, by=request.user)
        except ValidationError as refusal:
            return _capability_page(render(request, "proceedings/refused.html",
                                           {"title": _("นำรายชื่อออกไม่ได้"), "message": _messages_of(refusal),
                                            "back": reverse("proceedings:pass-roll", kwargs={"token": token})},
                                           status=400))
        return _capability_page(HttpResponseRedirect(reverse("proceedings:pass-roll", kwargs={"token": token})))


# --- the site's clerk, signed in ---------------------------------------------------------------------------


class SiteRollMixin(RoleRequiredMixin):
    """The roll of one site of one meeting: whoever may see the site (403 otherwise); the meeting must be the
    site's (404 otherwise)."""

    allowed_roles = JOINING_ROLES

    def get_pass(self) -> JoinPass:
        site = site_get_by_code(code=self.kwargs["code"])
        if site is None:
            raise Http404(_("ไม่พบสถานที่นี้"))
        require_site(self.request.user, site)
        join_pass = (
            JoinPass.objects.select_related("meeting__host_site", "site__district", "site__province")
            .filter(meeting_id=self.kwargs["pk"], site=site, revoked_at__isnull=True).order_by().first()
        )
        if join_pass is None:
            raise Http404(_("สถานที่นี้ไม่ได้อยู่ในการประชุมนี้"))
        return join_pass

    def roll_context(self, join_pass, **kwargs) -> dict:
        names = {"pk": self.kwargs["pk"], "code": self.kwargs["code"]}
        return _roll_context(
            join_pass, action=reverse("proceedings:site-roll", kwargs=names),
            remove_action=lambda entry_id: reverse("proceedings:site-roll-remove",
                                                   kwargs={**names, "entry_id": entry_id}),
            back=reverse("site:page", kwargs={"code": self.kwargs["code"]}), **kwargs,
        )


class SiteRollView(SiteRollMixin, View):
    def get(self, request, pk: int, code: str):
        join_pass = self.get_pass()
        return render(request, "proceedings/roll.html", self.roll_context(join_pass))

    def post(self, request, pk: int, code: str):
        join_pass = self.get_pass()
        errors, values = _record(request, join_pass)
        if errors:
            return render(request, "proceedings/roll.html",
                          self.roll_context(join_pass, errors=errors, values=values), status=400)
        return HttpResponseRedirect(reverse("proceedings:site-roll", kwargs={"pk": pk, "code": code}))


class SiteRollRemoveView(SiteRollMixin, View):
    def post(self, request, pk: int, code: str, entry_id: int):
        join_pass = self.get_pass()
        try:
            services.roll_entry_remove(join_pass=join_pass, entry_id=entry_id, by=request.user)
        except ValidationError as refusal:
            messages.error(request, _messages_of(refusal))
        return HttpResponseRedirect(reverse("proceedings:site-roll", kwargs={"pk": pk, "code": code}))


# --- the chair ---------------------------------------------------------------------------------------------


class ChairMixin(RoleRequiredMixin):
    allowed_roles = CHAIR_ROLES

    def get_meeting(self):
        meeting = (
            meeting_selectors.meetings_visible_to(self.request.user)
            .select_related("host_site__province").filter(pk=self.kwargs["pk"]).first()
        )
        if meeting is None:
            raise Http404(_("ไม่พบการประชุมนี้ในจังหวัดของท่าน"))
        return meeting

    def back(self, meeting) -> HttpResponseRedirect:
        target = self.request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()},
                                               require_https=self.request.is_secure()):
            target = reverse("meetings:detail", kwargs={"pk": meeting.pk})
        return HttpResponseRedirect(target)


def chair_context(meeting) -> dict:
    """Every site's roll and every vote of the meeting: 5 queries whatever the number of sites."""
    board = selectors.roll_board(meeting=meeting)
    rows = selectors.vote_rows(meeting=meeting, board=board)
    return {
        "meeting": meeting, "board": board, "vote_rows": rows,
        "figures": selectors.quorum_from_roll(board, by=Vote.By.SITE),
        "refresh_seconds": CHAIR_REFRESH_SECONDS,
    }


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ChairLiveView(ChairMixin, View):
    """The chair's live view (htmx fragment): every site's roll and the votes. It only reads."""

    def get(self, request, pk: int):
        meeting = self.get_meeting()
        return render(request, "proceedings/_chair_live.html", chair_context(meeting))


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ChairPageView(ChairMixin, View):
    """The same on a page of its own (linked from the control centre)."""

    def get(self, request, pk: int):
        meeting = self.get_meeting()
        return render(request, "proceedings/meeting.html", {**chair_context(meeting), "standalone": True})


class VoteOpenView(ChairMixin, View):
    def post(self, request, pk: int):
        meeting = self.get_meeting()
        try:
            services.vote_open(
                meeting=meeting, agenda_item=request.POST.get("agenda_item", ""),
                question=request.POST.get("question", ""), secret=request.POST.get("secret") == "1",
                by=request.POST.get("by", Vote.By.SITE), opened_by=request.user,
            )
            messages.success(request, _("เปิดลงมติแล้ว: ทุกสถานที่ลงมติได้จากหน้าเข้าร่วมประชุม"))
        except ValidationError as refusal:
            messages.error(request, _messages_of(refusal))
        return self.back(meeting)


class VoteCloseView(ChairMixin, View):
    def post(self, request, pk: int, vote_id: int):
        meeting = self.get_meeting()
        vote = selectors.vote_get(meeting_id=meeting.pk, vote_id=vote_id)
        if vote is None:
            raise Http404(_("ไม่พบการลงมตินี้ในการประชุมนี้"))
        try:
            services.vote_close(vote=vote, closed_by=request.user)
            messages.success(request, _("ปิดลงมติแล้ว: ผลแสดงที่หน้าเข้าร่วมประชุมของทุกสถานที่"))
        except ValidationError as refusal:
            messages.error(request, _messages_of(refusal))
        return self.back(meeting)
