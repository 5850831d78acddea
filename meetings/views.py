"""Scheduling pages for the provincial scheduler (and administrators): list, create, edit, reschedule, cancel."""

from __future__ import annotations

import hmac
from datetime import datetime
from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView

from districts.access import Role, RoleRequiredMixin
from foundation.downloads import protected_file_response
from foundation.thaidate import BANGKOK
from join.selectors import chair_pass_tokens
from notifications.selectors import meeting_reach

from . import selectors, services
from .backends.jitsi import ReservationError, parse_conference_request, refusal_answer
from .conf import setting
from .forms import DocumentForm, MeetingCreateForm, MeetingEditForm, MeetingRescheduleForm, agenda_lines
from .models import Meeting, Room
from .services import reservations, scheduling

SCHEDULING_ROLES = (Role.SCHEDULER, Role.ADMINISTRATOR)


class SchedulerPage(RoleRequiredMixin):
    allowed_roles = SCHEDULING_ROLES

    def get_meeting(self) -> Meeting:
        meeting = selectors.meeting_detail(user=self.request.user, pk=self.kwargs["pk"])
        if meeting is None:
            raise Http404(_("ไม่พบการประชุมนี้ในจังหวัดของท่าน"))
        return meeting


class MeetingListView(SchedulerPage, TemplateView):
    """Upcoming meetings of the province, grouped by day (BE dates)."""

    template_name = "meetings/meeting_list.html"

    def get_context_data(self, **kwargs):
        meetings = list(selectors.meeting_list_upcoming(user=self.request.user))
        days = [
            (day, list(items))
            for day, items in groupby(meetings, key=lambda m: m.start.astimezone(BANGKOK).date())
        ]
        return super().get_context_data(days=days, count=len(meetings), **kwargs)


class MeetingDetailView(SchedulerPage, TemplateView):
    template_name = "meetings/meeting_detail.html"

    def get_context_data(self, **kwargs):
        meeting = self.get_meeting()
        room = getattr(meeting, "room", None)
        return super().get_context_data(
            meeting=meeting,
            room=room,
            room_states=Room.State,
            participations=list(meeting.participations.all()),
            agencies=[invitation.agency for invitation in meeting.agency_invitations.all()],
            documents=list(meeting.documents.all()),
            document_form=kwargs.pop("document_form", None) or DocumentForm(),
            reach=meeting_reach(meeting=meeting),
            chair_pass_token=chair_pass_tokens(meeting_ids=[meeting.pk]).get(meeting.pk, "") if meeting.is_open else "",
            **kwargs,
        )


def _detail(meeting: Meeting) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("meetings:detail", kwargs={"pk": meeting.pk}))


class MeetingCreateView(SchedulerPage, View):
    template_name = "meetings/meeting_form.html"

    def get(self, request):
        return self.show(MeetingCreateForm(user=request.user))

    def show(self, form, status: int = 200):
        return render(self.request, self.template_name, {"form": form, "heading": _("นัดหมายการประชุม")},
                      status=status)

    def post(self, request):
        form = MeetingCreateForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.show(form, status=400)
        data = form.cleaned_data
        start, end = form.when()
        common = {
            "title": data["title"], "host_site": data["host_site"], "sites": form.chosen_sites(),
            "agencies": list(data["agencies"] or []), "start": start, "end": end,
            "agenda": agenda_lines(data["agenda"]), "created_by": request.user, "record": data["record"],
        }
        try:
            with transaction.atomic():  # documents refused → the meeting is not kept either
                if data.get("repeat"):
                    series = scheduling.series_schedule(
                        frequency=data["repeat"], until=data.get("until"), count=data.get("count"), **common
                    )
                    meetings = list(series.meetings.order_by("start"))
                else:
                    meetings = [scheduling.meeting_schedule(**common)]
                for upload in data.get("documents") or []:
                    for meeting in meetings:
                        services.document_attach(meeting=meeting, file=upload, uploaded_by=request.user)
        except ValidationError as error:
            form.add_service_error(error)
            return self.show(form, status=400)
        if len(meetings) > 1:
            messages.success(request, _("นัดหมายชุดการประชุม %(count)d ครั้งแล้ว ระบบกำลังสร้างห้องประชุม")
                             % {"count": len(meetings)})
        else:
            messages.success(request, _("นัดหมายแล้ว ระบบกำลังสร้างห้องประชุมบนเซิร์ฟเวอร์"))
        return _detail(meetings[0])


class MeetingEditView(SchedulerPage, View):
    """Change what a meeting is about and who takes part. A meeting of a series: also its host and time of day, for
    this occurrence, this and the following ones, or every one not yet held (only what the form changes)."""

    template_name = "meetings/meeting_form.html"

    def show(self, form, meeting, status: int = 200):
        return render(self.request, self.template_name,
                      {"form": form, "meeting": meeting, "heading": _("แก้ไขการประชุม"),
                       "offer_scope": bool(meeting.series_id)}, status=status)

    def get(self, request, pk):
        meeting = self.get_meeting()
        local_start, local_end = meeting.start.astimezone(BANGKOK), meeting.end.astimezone(BANGKOK)
        form = MeetingEditForm(
            user=request.user,
            in_series=bool(meeting.series_id),
            initial={
                "scope": "one",
                "title": meeting.title,
                "agenda": "\n".join(meeting.agenda or []),
                "host_site": meeting.host_site_id,
                "start_time": local_start.time(),
                "end_time": local_end.time(),
                "sites": [p.site_id for p in meeting.participations.all()],
                "agencies": [i.agency_id for i in meeting.agency_invitations.all()],
            },
        )
        return self.show(form, meeting)

    def post(self, request, pk):
        meeting = self.get_meeting()
        form = MeetingEditForm(request.POST, user=request.user, in_series=bool(meeting.series_id))
        if not form.is_valid():
            return self.show(form, meeting, status=400)
        data = form.cleaned_data
        try:
            if meeting.series_id:
                changed = scheduling.series_update(meeting=meeting, by=request.user, **_series_changes(meeting, form))
                count = len(changed)
            else:
                scheduling.meeting_update(
                    meeting=meeting, title=data["title"], agenda=agenda_lines(data["agenda"]),
                    sites=form.chosen_sites(), agencies=list(data["agencies"] or []), by=request.user,
                )
                count = 1
        except ValidationError as error:
            form.add_service_error(error)
            return self.show(form, meeting, status=400)
        if meeting.series_id:
            messages.success(request, _("บันทึกการแก้ไขแล้ว %(count)d ครั้งในชุด ผู้ได้รับเชิญจะได้รับแจ้งการเปลี่ยนแปลง")
                             % {"count": count})
        else:
            messages.success(request, _("บันทึกการแก้ไขแล้ว"))
        if len({site.pk for site in form.chosen_sites()} - {data.get("host_site", meeting.host_site).pk}) == 0:
            messages.warning(request, _("การประชุมนี้ยังไม่มีสถานที่เข้าร่วมนอกจากสถานที่ประธาน: "
                                        "กด “แก้ไข” เพื่อเพิ่มอำเภอที่ต้องเข้าประชุม"))
        return _detail(meeting)


def _series_changes(meeting: Meeting, form: MeetingEditForm) -> dict:
    """What the form changes compared with this occurrence: only that is applied to the occurrences in scope, so
    an occurrence moved or changed on its own keeps what the form leaves alone."""
    data = form.cleaned_data
    local_start, local_end = meeting.start.astimezone(BANGKOK), meeting.end.astimezone(BANGKOK)
    changes: dict = {"scope": data["scope"]}
    if data["title"] != meeting.title:
        changes["title"] = data["title"]
    agenda = agenda_lines(data["agenda"])
    if agenda != list(meeting.agenda or []):
        changes["agenda"] = agenda
    start_time, end_time = data["start_time"], data["end_time"]
    if start_time != local_start.time().replace(tzinfo=None):
        changes["start_time"] = start_time
    duration = datetime.combine(local_start.date(), end_time) - datetime.combine(local_start.date(), start_time)
    if duration != local_end - local_start:
        changes["duration"] = duration
    if data["host_site"].pk != meeting.host_site_id:
        changes["host_site"] = data["host_site"]
    chosen = form.chosen_sites()
    if {site.pk for site in chosen} | {data["host_site"].pk} != {p.site_id for p in meeting.participations.all()}:
        changes["sites"] = chosen
    agencies = list(data["agencies"] or [])
    if {a.pk for a in agencies} != {i.agency_id for i in meeting.agency_invitations.all()}:
        changes["agencies"] = agencies
    return changes


class MeetingRescheduleView(SchedulerPage, View):
    template_name = "meetings/meeting_form.html"

    def show(self, form, meeting, status: int = 200):
        return render(self.request, self.template_name,
                      {"form": form, "meeting": meeting, "heading": _("เลื่อนการประชุม")}, status=status)

    def get(self, request, pk):
        meeting = self.get_meeting()
        local_start, local_end = meeting.start.astimezone(BANGKOK), meeting.end.astimezone(BANGKOK)
        form = MeetingRescheduleForm(
            initial={"date": local_start.date(), "start_time": local_start.time(), "end_time": local_end.time()}
        )
        return self.show(form, meeting)

    def post(self, request, pk):
        meeting = self.get_meeting()
        form = MeetingRescheduleForm(request.POST)
        if not form.is_valid():
            return self.show(form, meeting, status=400)
        start, end = form.when()
        try:
            scheduling.meeting_reschedule(meeting=meeting, start=start, end=end, by=request.user)
        except ValidationError as error:
            form.add_service_error(error)
            return self.show(form, meeting, status=400)
        messages.success(request, _("เลื่อนการประชุมแล้ว ระบบกำลังปรับห้องประชุมบนเซิร์ฟเวอร์"))
        return _detail(meeting)


class MeetingCancelView(SchedulerPage, View):
    template_name = "meetings/meeting_cancel.html"

    def show(self, meeting, *, reason: str = "", error: str = "", status: int = 200):
        following = (
            meeting.series.meetings.filter(start__gte=meeting.start).exclude(
                status__in=[Meeting.Status.CANCELLED, Meeting.Status.ENDED]).count()
            if meeting.series_id else 0
        )
        context = {"meeting": meeting, "reason": reason, "error": error, "following": following}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.show(self.get_meeting())

    def post(self, request, pk):
        meeting = self.get_meeting()
        reason = " ".join(request.POST.get("reason", "").split())
        if not reason:
            return self.show(meeting, error=_("บอกเหตุที่ยกเลิก เช่น “ประธานติดภารกิจเร่งด่วน”: ผู้ได้รับเชิญจะเห็นในหนังสือแจ้งยกเลิก"),
                             status=400)
        try:
            if meeting.series_id and request.POST.get("scope") == "following":
                count = scheduling.series_cancel(series=meeting.series, by=request.user, reason=reason, since=meeting)
                messages.success(request, _("ยกเลิกการประชุมในชุดนี้แล้ว %(count)d ครั้ง") % {"count": count})
            else:
                scheduling.meeting_cancel(meeting=meeting, by=request.user, reason=reason)
                messages.success(request, _("ยกเลิกการประชุมแล้ว สถานที่ทุกแห่งว่างในช่วงเวลานี้"))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return _detail(meeting)


class DocumentUploadView(SchedulerPage, View):
    def post(self, request, pk):
        meeting = self.get_meeting()
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.document_attach(meeting=meeting, file=form.cleaned_data["file"], uploaded_by=request.user)
            except ValidationError as error:
                form.add_service_error(error)
        if form.errors:
            view = MeetingDetailView()
            view.setup(request, pk=pk)
            context = view.get_context_data(document_form=form)
            return render(request, MeetingDetailView.template_name, context, status=400)
        messages.success(request, _("แนบเอกสารแล้ว"))
        return _detail(meeting)


# --- Jitsi: the reservation API Prosody's mod_reservations calls (no login; a shared token in the path) -----


def _reservation_token_ok(token: str) -> bool:
    expected = str(setting("MEETINGS_JITSI_RESERVATION_TOKEN") or "")
    return bool(expected) and hmac.compare_digest(token.encode(), expected.encode())


@csrf_exempt
@require_http_methods(["POST", "GET", "DELETE"])
def jitsi_conference(request, token: str, reservation_id: int | None = None):
    """`POST <prefix>/conference`, `GET|DELETE <prefix>/conference/<id>` where prefix ends with the token."""
    if not _reservation_token_ok(token):
        return JsonResponse({"message": "ไม่ได้รับอนุญาต"}, status=403)
    if reservation_id is None:
        if request.method != "POST":
            return JsonResponse({"message": "ใช้ POST เพื่อขอเปิดห้อง"}, status=405)
        try:
            conference = parse_conference_request(request.POST)
        except ReservationError as error:
            return JsonResponse(refusal_answer(f"คำขอไม่ถูกต้อง: {error}"), status=400)
        answer = reservations.reservation_open(request=conference)
    elif request.method == "GET":
        answer = reservations.reservation_get(reservation_id=reservation_id)
    elif request.method == "DELETE":
        answer = reservations.reservation_delete(reservation_id=reservation_id)
    else:
        return JsonResponse({"message": "ใช้ GET หรือ DELETE"}, status=405)
    return JsonResponse(answer.body, status=answer.status)


class DocumentDownloadView(View):
    """A meeting's document for whoever may open it (never a public /media/ URL).

    In production nginx sends the file (X-Accel-Redirect to its internal location); otherwise Django streams it.
    """

    def get(self, request, pk: int, document_id: int):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        document = selectors.document_for(user=request.user, meeting_id=pk, document_id=document_id)
        if document is None:
            raise Http404(_("ไม่พบเอกสารนี้ หรือท่านไม่มีสิทธิ์เปิด"))
        return document_file_response(document)


def document_file_response(document, *, content_type: str | None = None) -> HttpResponse:
    """The document as an attachment (the page's link and the API), through foundation.downloads. `content_type`:
    the type to send; by default guessed from the name by Django."""
    return protected_file_response(
        accel_root=settings.PRACHUM_MEDIA_ACCEL_REDIRECT, relative_path=document.file.name,
        open_file=lambda: document.file.open("rb"), filename=document.name, content_type=content_type,
    )
