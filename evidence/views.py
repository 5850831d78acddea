"""The evidence pages, under /evidence/ (namespace "evidence").

- `p/<token>/faults/`: POST, a site's (or agency's) fault report from its join page: the pass is the key, as the
  join page. Answers JSON to the page's script (`Accept: application/json`), a small page otherwise; a refusal is a
  400 with the Thai message, and nothing is written.
- `meeting/<pk>/faults/board/`: the control centre's fragment of a meeting's open reports (htmx, on each refresh of
  the board); `meeting/<pk>/faults/<id>/resolve/`: POST, marks one resolved. The province's schedulers and
  administrators (another province's meeting: not found).
- `meeting/<pk>/`: the evidence pack page (the packs asked for, their state, download links); `meeting/<pk>/packs/`:
  POST, asks for a new pack; `meeting/<pk>/packs/<id>/download/`: the archive, through the permission check, every
  download in the audit log (nginx sends the bytes in production: X-Accel-Redirect to EVIDENCE_ACCEL_REDIRECT).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View

from districts.access import RoleRequiredMixin
from foundation.downloads import protected_file_response
from join import selectors as join_selectors

from . import selectors, services
from .models import NOTE_MAX_LENGTH, EvidencePack, FaultReport


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


# --- a pass reports a fault (no login: the pass is the key) ----------------------------------------------------


class PassFaultReportView(View):
    def post(self, request, token: str):
        wants_json = "application/json" in request.headers.get("Accept", "")
        join_pass = join_selectors.join_pass_get(token=token)
        if join_pass is None:
            return self._answer(request, wants_json, 404, _("ไม่พบลิงก์เข้าร่วมประชุมนี้"), join_pass=None)
        try:
            report = services.fault_report_create(join_pass=join_pass, kind=request.POST.get("kind", ""),
                                                  note=request.POST.get("note", ""))
        except ValidationError as error:
            return self._answer(request, wants_json, 400, " ".join(error.messages), join_pass=join_pass)
        message = _("แจ้งปัญหา “%(kind)s” แล้ว: ศูนย์ควบคุมเห็นรายการนี้แล้ว และจะติดต่อกลับ") % {
            "kind": report.get_kind_display()}
        return self._answer(request, wants_json, 201, message, join_pass=join_pass, report=report)

    def _answer(self, request, wants_json: bool, status: int, message: str, *, join_pass, report=None):
        if wants_json:
            body = {"ok": status == 201, "message": message}
            if report is not None:
                body["reported_at"] = report.reported_at.isoformat()
            return _no_store(JsonResponse(body, status=status))
        return _no_store(render(request, "evidence/fault_answer.html",
                                {"ok": status == 201, "message": message, "join_pass": join_pass}, status=status))


# --- the control centre's fragment and resolving --------------------------------------------------------------


class ProvinceMeetingMixin(RoleRequiredMixin):
    allowed_roles = selectors.PROVINCE_ROLES

    def get_meeting(self):
        meeting = selectors.meeting_of_province(user=self.request.user, pk=self.kwargs["pk"])
        if meeting is None:
            raise Http404(_("ไม่พบการประชุมนี้ในจังหวัดของท่าน"))
        return meeting


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class BoardFaultsView(ProvinceMeetingMixin, View):
    """The open reports of a meeting, for the control centre's board (htmx swaps it in): 2 queries."""

    def get(self, request, pk: int):
        meeting = self.get_meeting()
        return _no_store(render(request, "evidence/_board_faults_list.html", {
            "meeting": meeting, "reports": selectors.open_fault_reports(meeting_id=meeting.pk)}))


class FaultResolveView(ProvinceMeetingMixin, View):
    def post(self, request, pk: int, report_id: int):
        report = selectors.fault_report_of_province(user=request.user, meeting_id=pk, report_id=report_id)
        if report is None:
            raise Http404(_("ไม่พบรายการแจ้งปัญหานี้"))
        try:
            services.fault_report_resolve(report=report, by=request.user)
        except ValidationError as error:
            message, ok = " ".join(error.messages), False
        else:
            message, ok = _("บันทึกว่าแก้ไขแล้ว"), True
        if request.htmx:
            return _no_store(render(request, "evidence/_board_faults_list.html", {
                "meeting": report.meeting, "reports": selectors.open_fault_reports(meeting_id=pk),
                "message": message}))
        (messages.success if ok else messages.error)(request, message)
        return HttpResponseRedirect(reverse("join:control"))


# --- the evidence pack ----------------------------------------------------------------------------------------


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class PackPageView(ProvinceMeetingMixin, View):
    def get(self, request, pk: int):
        meeting = self.get_meeting()
        return render(request, "evidence/meeting.html", {
            "meeting": meeting, "packs": selectors.meeting_packs(meeting_id=meeting.pk), "State": EvidencePack.State,
            "faults": selectors.meeting_fault_reports(meeting_id=meeting.pk),
        })


class PackRequestView(ProvinceMeetingMixin, View):
    def post(self, request, pk: int):
        meeting = self.get_meeting()
        try:
            services.pack_request(meeting=meeting, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("รับคำขอแล้ว: ระบบกำลังจัดทำชุดหลักฐาน เมื่อเสร็จจะดาวน์โหลดได้จากหน้านี้"))
        return HttpResponseRedirect(reverse("evidence:meeting", kwargs={"pk": meeting.pk}))


class PackDownloadView(View):
    """A ready pack for the province's schedulers and administrators; every download in the audit log."""

    def get(self, request, pk: int, pack_id: int):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        pack = selectors.pack_for_download(user=request.user, meeting_id=pk, pack_id=pack_id)
        if pack is None:
            raise Http404(_("ไม่พบชุดหลักฐานนี้ หรือท่านไม่มีสิทธิ์ดาวน์โหลด"))
        try:
            path = services.pack_download(pack=pack, user=request.user)
        except ValidationError as error:
            raise Http404(" ".join(error.messages)) from error
        return pack_response(pack, path)


def pack_response(pack: EvidencePack, path) -> HttpResponse:
    """nginx sends the file in production (X-Accel-Redirect to EVIDENCE_ACCEL_REDIRECT); Django otherwise."""
    return protected_file_response(
        accel_root=settings.EVIDENCE_ACCEL_REDIRECT, relative_path=pack.path, open_file=lambda: path.open("rb"),
        filename=path.name, content_type="application/zip",
    )


FAULT_KINDS = FaultReport.Kind.choices
FAULT_NOTE_MAX = NOTE_MAX_LENGTH
