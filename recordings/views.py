"""The recording pages, under /recordings/ (namespace "recordings").

- `meeting/<pk>/`: the recording page of a meeting for the province's schedulers and administrators (the chair's
  controls, state, files with sizes and durations, download links, retention, PDPA erasure requests); its POSTs
  start and stop the recording, change its settings, record an erasure request. Another province's meeting 404.
- `meeting/<pk>/files/<id>/`: a download, through the permission check (selectors.file_for_download), every one
  in the audit log; nginx sends the bytes in production (X-Accel-Redirect to its internal location).
- `p/<token>/state/`: the join page's "กำลังบันทึก" sign (a site's pass is the key, as the join page): JSON, read
  only, never cached.
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
from .forms import ErasureRequestForm, RecordingSettingsForm
from .models import ErasureRequest, MeetingRecording, RecordingFile

SIGN_REFRESH_SECONDS = 5


class RecordingPageMixin(RoleRequiredMixin):
    allowed_roles = selectors.PROVINCE_ROLES

    def get_meeting(self):
        meeting = selectors.meeting_for_recording(user=self.request.user, pk=self.kwargs["pk"])
        if meeting is None:
            raise Http404(_("ไม่พบการประชุมนี้ในจังหวัดของท่าน"))
        return meeting

    def back(self, meeting) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("recordings:meeting", kwargs={"pk": meeting.pk}))


def page_context(meeting, *, erasure_form=None, settings_form=None) -> dict:
    """What the page shows: 3 queries (the recording, its files, the erasure requests) besides the meeting."""
    recording = selectors.recording_of(meeting)
    kind = recording.kind if recording else selectors.default_kind(meeting)
    return {
        "meeting": meeting,
        "recording": recording,
        "state": recording.state if recording else MeetingRecording.State.IDLE,
        "state_label": recording.get_state_display() if recording else MeetingRecording.State.IDLE.label,
        "enabled": recording.enabled if recording else True,
        "files": list(recording.files.all()) if recording else [],
        "retention": [(MeetingRecording.Kind(key).label, days) for key, days in
                      settings.RECORDINGS_RETENTION_DAYS.items()],
        "retention_days": selectors.retention_days(kind),
        "retained_until": (recording.expires_at if recording and recording.expires_at
                           else selectors.retained_until(meeting, kind)),
        "kind_label": MeetingRecording.Kind(kind).label,
        "erasure_requests": list(ErasureRequest.objects.filter(meeting=meeting)),
        "erasure_form": erasure_form or ErasureRequestForm(),
        "settings_form": settings_form or RecordingSettingsForm(
            initial={"enabled": recording.enabled if recording else True, "kind": kind}),
        "State": MeetingRecording.State,
    }


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class RecordingCardView(RecordingPageMixin, View):
    """The meeting page's recording card, loaded by htmx (the meeting page's own queries stay fixed): whether it is
    recorded, its state, and how long it is kept (issue 17: the retention shown on the meeting page)."""

    def get(self, request, pk: int):
        meeting = self.get_meeting()
        recording = selectors.recording_of(meeting)
        kind = recording.kind if recording else selectors.default_kind(meeting)
        return render(request, "recordings/_meeting_card.html", {
            "meeting": meeting,
            "enabled": recording.enabled if recording else True,
            "state_label": recording.get_state_display() if recording else MeetingRecording.State.IDLE.label,
            "kind_label": MeetingRecording.Kind(kind).label,
            "retention_days": selectors.retention_days(kind),
            "retained_until": (recording.expires_at if recording and recording.expires_at
                               else selectors.retained_until(meeting, kind)),
        })


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class RecordingPageView(RecordingPageMixin, View):
    def get(self, request, pk: int):
        return render(request, "recordings/meeting.html", page_context(self.get_meeting()))


class RecordingActionView(RecordingPageMixin, View):
    """A POST that calls one service; a refusal is shown on the page in Thai (never a 500)."""

    success = ""

    def act(self, request, meeting) -> None:  # pragma: no cover - each view defines it
        raise NotImplementedError

    def post(self, request, pk: int):
        meeting = self.get_meeting()
        try:
            self.act(request, meeting)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, self.success)
        return self.back(meeting)


class RecordingStartView(RecordingActionView):
    success = _("เริ่มบันทึกแล้ว: ทุกสถานที่เห็นเครื่องหมาย “กำลังบันทึก” ที่หน้าเข้าร่วมประชุม")

    def act(self, request, meeting) -> None:
        services.recording_start(meeting=meeting, by=request.user)


class RecordingStopView(RecordingActionView):
    success = _("หยุดบันทึกแล้ว: ระบบกำลังจัดทำไฟล์ เมื่อเสร็จจะดาวน์โหลดได้จากหน้านี้")

    def act(self, request, meeting) -> None:
        services.recording_stop(meeting=meeting, by=request.user)


class RecordingSettingsView(RecordingActionView):
    success = _("บันทึกการตั้งค่าแล้ว")

    def act(self, request, meeting) -> None:
        form = RecordingSettingsForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("ข้อมูลไม่ถูกต้อง: เลือกประเภทการประชุมจากรายการ"))
        services.recording_configure(meeting=meeting, enabled=form.cleaned_data["enabled"],
                                     kind=form.cleaned_data["kind"], by=request.user)


class ErasureRequestView(RecordingPageMixin, View):
    def post(self, request, pk: int):
        meeting = self.get_meeting()
        form = ErasureRequestForm(request.POST)
        if form.is_valid():
            try:
                services.erasure_request_record(meeting=meeting, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("บันทึกคำขอและคำตอบแล้ว: ส่งคำตอบด้านล่างให้ผู้ขอ"))
                return self.back(meeting)
        return render(request, "recordings/meeting.html", page_context(meeting, erasure_form=form), status=400)


class RecordingDownloadView(View):
    """A recording's file for whoever may have it; every download in the audit log."""

    def get(self, request, pk: int, file_id: int):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        file = selectors.file_for_download(user=request.user, meeting_id=pk, file_id=file_id)
        if file is None:
            raise Http404(_("ไม่พบไฟล์บันทึกการประชุมนี้ หรือท่านไม่มีสิทธิ์ดาวน์โหลด"))
        try:
            path = services.recording_file_download(file=file, user=request.user)
        except ValidationError as error:
            raise Http404(" ".join(error.messages)) from error
        return recording_file_response(file, path)


def recording_file_response(file: RecordingFile, path) -> HttpResponse:
    """nginx sends the file in production (X-Accel-Redirect to RECORDINGS_ACCEL_REDIRECT); Django otherwise."""
    return protected_file_response(
        accel_root=settings.RECORDINGS_ACCEL_REDIRECT, relative_path=file.path, open_file=lambda: path.open("rb"),
        filename=f"meeting-{file.recording.meeting_id}-{path.name}", content_type="video/webm",
    )


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class PassRecordingStateView(View):
    """The join page's sign: {"recording": true} while the meeting's room records. Reads only."""

    def get(self, request, token: str):
        join_pass = join_selectors.join_pass_get(token=token)
        if join_pass is None:
            raise Http404(_("ไม่พบลิงก์เข้าร่วมประชุมนี้"))
        state = selectors.recording_state(meeting_id=join_pass.meeting_id)
        response = JsonResponse({"recording": state == MeetingRecording.State.RECORDING,
                                 "refresh_seconds": SIGN_REFRESH_SECONDS})
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "same-origin"
        return response
