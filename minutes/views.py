"""The minutes pages: the secretary drafts, edits, sends, corrects; the next meeting approves; the invited sites'
clerks read what was sent; everyone allowed downloads the PDF (signed once approved and signed).

Who: the secretary is a scheduler or administrator of the meeting's province; clerks read the sent versions of
the meetings their site is invited to. Anyone else: 404 (a meeting outside one's scope is not found), or 403 for a
role that has no minutes at all. A GET never writes.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View

from districts.access import Role, RoleRequiredMixin, can_view_site
from districts.selectors import site_get_by_code
from foundation.downloads import protected_file_response

from . import documents, selectors, services, signing
from .forms import ApprovalForm, MinutesForm

SECRETARY_ROLES = selectors.SECRETARY_ROLES
READER_ROLES = (Role.CLERK, *SECRETARY_ROLES)


def _page(meeting_id: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("minutes:meeting", kwargs={"pk": meeting_id}))


class SecretaryPage(RoleRequiredMixin):
    allowed_roles = SECRETARY_ROLES

    def get_meeting(self):
        meeting = selectors.meeting_for_secretary(user=self.request.user, meeting_id=self.kwargs["pk"])
        if meeting is None:
            raise Http404(_("ไม่พบการประชุมนี้ในจังหวัดของท่าน"))
        return meeting

    def get_minutes(self):
        minutes = selectors.minutes_for(user=self.request.user, meeting_id=self.kwargs["pk"])
        if minutes is None:
            raise Http404(_("การประชุมนี้ยังไม่มีรายงานการประชุม"))
        return minutes


class MinutesPageView(RoleRequiredMixin, View):
    """The minutes of a meeting: the latest version the person may read, its versions, what they may do."""

    allowed_roles = READER_ROLES

    def get(self, request, pk: int):
        meeting = selectors.meeting_for_page(user=request.user, meeting_id=pk)
        if meeting is None:
            raise Http404(_("ไม่พบการประชุมนี้ หรือท่านไม่มีสิทธิ์อ่านรายงานการประชุมของการประชุมนี้"))
        secretary = selectors.is_secretary(request.user)
        minutes = selectors.minutes_for(user=request.user, meeting_id=pk)
        if minutes is None and not secretary:
            raise Http404(_("รายงานการประชุมนี้ยังไม่ได้ส่งให้สถานที่ของท่าน"))
        versions = minutes.readable if minutes else []
        current = versions[-1] if versions else None
        return render(request, "minutes/minutes_page.html", {
            "meeting": meeting, "minutes": minutes, "versions": versions, "version": current,
            "content": current.content if current else None, "secretary": secretary,
            "signing_problem": signing.configuration_problem(province_code=meeting.host_site.province.code)
            if secretary else "",
        })


class MinutesVersionView(RoleRequiredMixin, View):
    """One version as it was stored (old versions stay readable)."""

    allowed_roles = READER_ROLES

    def get(self, request, pk: int, number: int):
        version = selectors.version_for(user=request.user, meeting_id=pk, number=number)
        if version is None:
            raise Http404(_("ไม่พบรายงานการประชุมฉบับนี้ หรือท่านไม่มีสิทธิ์อ่าน"))
        return render(request, "minutes/minutes_version.html", {
            "meeting": version.minutes.meeting, "version": version, "content": version.content,
        })


def _file(fieldfile, filename: str) -> HttpResponse:
    """A stored PDF through the permission check (foundation.downloads)."""
    return protected_file_response(
        accel_root=settings.PRACHUM_MEDIA_ACCEL_REDIRECT, relative_path=fieldfile.name,
        open_file=lambda: fieldfile.open("rb"), filename=filename, content_type="application/pdf",
    )


def minutes_pdf_response(version) -> HttpResponse:
    """The PDF of a version: the signed one when there is one, else the stored one of an approved version, else
    (a draft or a sent version) drawn now from its stored content, nothing written."""
    meeting = version.minutes.meeting
    name = f"minutes-{meeting.pk}-v{version.number}"
    if version.signed_pdf:
        response = _file(version.signed_pdf, f"{name}-signed.pdf")
    elif version.pdf:
        response = _file(version.pdf, f"{name}.pdf")
    else:
        response = HttpResponse(documents.minutes_pdf(version=version, meeting=meeting),
                                content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"{name}.pdf")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class MinutesPdfView(RoleRequiredMixin, View):
    allowed_roles = READER_ROLES

    def get(self, request, pk: int, number: int):
        version = selectors.version_for(user=request.user, meeting_id=pk, number=number)
        if version is None:
            raise Http404(_("ไม่พบรายงานการประชุมฉบับนี้ หรือท่านไม่มีสิทธิ์อ่าน"))
        return minutes_pdf_response(version)


class MinutesDraftView(SecretaryPage, View):
    def post(self, request, pk: int):
        meeting = self.get_meeting()
        try:
            services.minutes_draft(meeting=meeting, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _page(meeting.pk)
        messages.success(request, _("ร่างรายงานการประชุมจากระเบียบวาระ การลงชื่อ การเชื่อมต่อ เอกสาร และผลการลงมติแล้ว: "
                                    "ตรวจและแก้ไขก่อนส่ง"))
        return HttpResponseRedirect(reverse("minutes:edit", kwargs={"pk": meeting.pk}))


class MinutesEditView(SecretaryPage, View):
    template_name = "minutes/minutes_form.html"

    def show(self, form, minutes, status=200):
        return render(self.request, self.template_name, {"form": form, "minutes": minutes,
                                                         "meeting": minutes.meeting}, status=status)

    def get(self, request, pk: int):
        minutes = self.get_minutes()
        return self.show(MinutesForm(stored=minutes.readable[-1].content), minutes)

    def post(self, request, pk: int):
        minutes = self.get_minutes()
        form = MinutesForm(request.POST, stored=minutes.readable[-1].content)
        if not form.is_valid():
            return self.show(form, minutes, status=400)
        try:
            services.minutes_edit(minutes=minutes, content=form.content(), by=request.user)
        except ValidationError as error:
            form.add_service_error(error)
            return self.show(form, minutes, status=400)
        messages.success(request, _("บันทึกร่างรายงานการประชุมแล้ว"))
        return _page(pk)


class MinutesSendView(SecretaryPage, View):
    def post(self, request, pk: int):
        minutes = self.get_minutes()
        try:
            services.minutes_send(minutes=minutes, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("ส่งรายงานการประชุมแล้ว: ทุกสถานที่ที่ได้รับเชิญอ่านได้จากหน้ารายงานการประชุมของสถานที่"))
        return _page(pk)


class MinutesCorrectView(SecretaryPage, View):
    def post(self, request, pk: int):
        minutes = self.get_minutes()
        try:
            services.minutes_correct(minutes=minutes, note=request.POST.get("note", ""), by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _page(pk)
        messages.success(request, _("ทำฉบับแก้ไขแล้ว ฉบับเดิมยังอ่านได้: แก้ไขแล้วส่งให้การประชุมครั้งถัดไปรับรอง"))
        return HttpResponseRedirect(reverse("minutes:edit", kwargs={"pk": pk}))


class MinutesApproveView(SecretaryPage, View):
    """Item 2 of this meeting: approve the previous meeting's minutes (as is, or with corrections)."""

    template_name = "minutes/minutes_approve.html"

    def context(self):
        meeting = self.get_meeting()
        previous = selectors.previous_meeting(meeting=meeting)
        minutes = selectors.minutes_for(user=self.request.user, meeting_id=previous.pk) if previous else None
        version = minutes.readable[-1] if minutes else None
        return meeting, previous, minutes, version

    def show(self, form, corrected, status=200):
        meeting, previous, minutes, version = self.context()
        return render(self.request, self.template_name, {
            "meeting": meeting, "previous": previous, "minutes": minutes, "version": version, "form": form,
            "corrected": corrected,
        }, status=status)

    def get(self, request, pk: int):
        version = self.context()[3]
        corrected = MinutesForm(stored=version.content, prefix="c") if version else None
        return self.show(ApprovalForm(), corrected)

    def post(self, request, pk: int):
        meeting, previous, minutes, version = self.context()
        form = ApprovalForm(request.POST)
        corrected = MinutesForm(request.POST, stored=version.content, prefix="c") if version else None
        if minutes is None:
            form.is_valid()
            form.add_error(None, _("การประชุมครั้งก่อนของชุดนี้ยังไม่มีรายงานการประชุมที่ส่งแล้ว จึงไม่มีอะไรให้รับรอง"))
            return self.show(form, corrected, status=400)
        if not form.is_valid():
            return self.show(form, corrected, status=400)
        content = None
        if form.cleaned_data["decision"] == "corrected" and corrected is not None:
            if not corrected.is_valid():
                form.add_error(None, _("เนื้อหาที่แก้ไขตามมติยังไม่ถูกต้อง: ดูข้อความที่ช่องด้านล่าง"))
                return render(request, self.template_name, {
                    "meeting": meeting, "previous": previous, "minutes": minutes, "version": version,
                    "form": form, "corrected": corrected}, status=400)
            content = corrected.content()
        try:
            services.minutes_approve(
                minutes=minutes, by_meeting=meeting, decision=form.cleaned_data["decision"],
                method=form.cleaned_data["method"], corrections=form.cleaned_data["corrections"], content=content,
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_error(error)
            return render(request, self.template_name, {
                "meeting": meeting, "previous": previous, "minutes": minutes, "version": version, "form": form,
                "corrected": corrected}, status=400)
        messages.success(request, _("บันทึกการรับรองรายงานการประชุมครั้งที่แล้วแล้ว: ฉบับที่รับรองถูกล็อก"))
        return _page(previous.pk)


class MeetingLinksView(SecretaryPage, View):
    """The meeting page's minutes card, loaded by htmx (so that the meeting page's own queries stay fixed)."""

    def get(self, request, pk: int):
        links = selectors.meeting_links(meeting=self.get_meeting())
        return render(request, "minutes/_meeting_links_state.html", {"links": links})


class SiteMinutesView(RoleRequiredMixin, View):
    """The minutes sent to a site (its clerk's list; the province's secretary sees any of its sites')."""

    allowed_roles = READER_ROLES

    def get(self, request, code: str):
        site = site_get_by_code(code=code)
        if site is None or not can_view_site(request.user, site):
            raise PermissionDenied(_("ท่านไม่มีสิทธิ์เข้าถึงข้อมูลของสถานที่นี้"))
        return render(request, "minutes/site_minutes.html", {"site": site,
                                                              "versions": selectors.site_minutes(site=site)})
