"""The control centre and the attendance report (province staff): today's meetings and which sites are connected,
the board alone for htmx, and the attendance of a meeting as a page or an export."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from districts.access import RoleRequiredMixin, staff_of
from foundation.thaidate import format_be_long

from .. import selectors, services
from ..exporters import EXPORTERS, AttendanceExport
from ._common import CONTROL_ROLES

# How often the control centre's board asks the portal again (it shows what the periodic poll last wrote).
BOARD_REFRESH_SECONDS = 5


def board_refresh_seconds() -> int:
    return max(1, int(getattr(settings, "MEETINGS_CONTROL_REFRESH_SECONDS", BOARD_REFRESH_SECONDS)))


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
