"""A pass holder's own files, from its link alone (no login: the pass is the key): the meeting's .ics, the join
sheet and its PDF. What an invited agency (which has no site page) prints and adds to its calendar; a site's
pass opens them too. Only while the pass may still be used (not revoked, the meeting neither cancelled nor over,
its holder still invited)."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from foundation.pdf import html_to_pdf
from foundation.thaidate import BANGKOK, format_be_long, format_be_short
from meetings.calendar import meeting_ics

from .. import selectors
from ..links import join_url, portal_url, short_code_text, short_url
from ..qr import qr_svgs
from ._common import _capability_page
from .call import _refused, _unknown_pass
from .clerk import _organizer_email


def _usable_pass(request, token: str):
    """(the pass, None) when its files may be served, else (None, the refusal page)."""
    join_pass = selectors.join_pass_get(token=token)
    if join_pass is None:
        return None, _unknown_pass(request)
    state = selectors.pass_state(join_pass)
    if not state.allows_test_call:  # revoked, cancelled, uninvited, over
        return None, _refused(request, join_pass, state)
    return join_pass, None


def pass_sheet_context(join_pass) -> dict:
    meeting = join_pass.meeting
    link = join_url(join_pass.token)
    local_start, local_end = meeting.start.astimezone(BANGKOK), meeting.end.astimezone(BANGKOK)
    holder = join_pass.holder
    return {
        "site": holder,
        "holder_is_agency": join_pass.is_agency,
        "pass_token": join_pass.token,
        "is_host": join_pass.is_moderator,
        "meeting": meeting,
        "join_link": link,
        "short_code": short_code_text(join_pass.short_code),
        "short_url": short_url(),
        "qr": qr_svgs([(link, meeting.title)], scale=5)[0],
        "date_long": format_be_long(meeting.start),
        "time_text": f"{local_start:%H:%M}–{local_end:%H:%M} น.",
        "opens_text": f"{format_be_short(join_pass.opens_at)} {join_pass.opens_at.astimezone(BANGKOK):%H:%M} น.",
        "checklist": [item for item in (getattr(holder, "equipment_checklist", None) or []) if str(item).strip()],
        "printed_at": format_be_short(timezone.now(), with_time=True),
    }


class PassSheetView(View):
    """The printable join sheet of a pass (A4, Thai), with its QR code and 12 digits."""

    def get(self, request, token: str):
        join_pass, refusal = _usable_pass(request, token)
        if refusal is not None:
            return refusal
        return _capability_page(render(request, "join/sheet.html", pass_sheet_context(join_pass)))


class PassSheetPdfView(View):
    def get(self, request, token: str):
        join_pass, refusal = _usable_pass(request, token)
        if refusal is not None:
            return refusal
        context = pass_sheet_context(join_pass) | {"for_pdf": True}
        html = render(request, "join/sheet.html", context).content.decode()
        pdf = html_to_pdf(html, base_url=portal_url("/"), stylesheet_files=(finders.find("join/sheet.css"),))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="join-sheet-{join_pass.meeting_id}.pdf"'
        return _capability_page(response)


class PassIcsView(View):
    """The meeting as a calendar file holding this pass's join link."""

    def get(self, request, token: str):
        join_pass, refusal = _usable_pass(request, token)
        if refusal is not None:
            return refusal
        meeting = join_pass.meeting
        holder = join_pass.holder
        location = (getattr(holder, "meeting_room", "") or holder.name) if not join_pass.is_agency else holder.name
        body = meeting_ics(
            meeting=meeting, method="PUBLISH", join_url=join_url(join_pass.token),
            organizer_email=_organizer_email(), location=location,
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="prachum-{meeting.pk}.ics"'
        return _capability_page(response)
