"""The attendance report as a file: CSV, XLSX and PDF from the shared table exporter (foundation/exporters.py).

Built with the meeting's report already read (join.selectors.attendance_report): the view checks who asks and
finds the meeting first, the exporter only lays the rows out. Guests' names come from the media server (anyone
holding a link types their own): the table exporter writes text that looks like a formula so that it never runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from foundation.exporters import Column, Exporter, TableExporter
from foundation.thaidate import BANGKOK, format_be_long, format_be_short

from .models import LATE_AFTER
from .selectors import AttendanceReport


def _when(moment) -> str:
    return format_be_short(moment, with_time=True) if moment else ""


class AttendanceExport(TableExporter):
    """ผู้มาประชุม / ผู้ไม่มาประชุม / ผู้เข้าร่วมประชุม of one meeting, one row per invited site, then the invited agencies,
    then the guests."""

    identifier = "attendance"
    verbose_name = "รายงานการเข้าร่วมประชุม"
    landscape = True

    def __init__(self, *, params: dict[str, Any], scope: AttendanceReport) -> None:
        super().__init__(params=params, scope=scope)
        self.report = scope

    @classmethod
    def parse_params(cls, query) -> dict[str, Any]:
        return {}

    def estimated_rows(self) -> int:
        return len(self.report.sites) + len(self.report.agency_rows) + len(self.report.guests)

    def filename(self, file_format: str) -> str:
        return f"attendance-{self.report.meeting.pk}.{file_format}"

    def title_lines(self) -> list[str]:
        meeting = self.report.meeting
        return [
            _("รายงานการเข้าร่วมประชุม"),
            meeting.title,
            f"{format_be_long(meeting.start)} {meeting.start.astimezone(BANGKOK):%H:%M}"
            f"–{meeting.end.astimezone(BANGKOK):%H:%M} น.",
        ]

    def columns(self) -> list[Column]:
        return [
            Column(_("รหัสสถานที่"), width=8),
            Column(_("สถานที่"), width=26),
            Column(_("บทบาท"), width=12),
            Column(_("สถานะ"), width=12),
            Column(_("เชื่อมต่อครั้งแรก"), width=16),
            Column(_("ออกครั้งสุดท้าย"), width=16),
            Column(_("มาช้า (นาที)"), kind="int", width=8),
            Column(_("เวลาเชื่อมต่อรวม (นาที)"), kind="int", width=10),
            Column(_("จำนวนครั้งที่เชื่อมต่อ"), kind="int", width=8),
        ]

    def rows(self) -> Iterable[list]:
        for row in self.report.sites:
            left = _("ยังเชื่อมต่ออยู่") if row.still_connected else _when(row.last_left)
            yield [
                row.site.code, row.site.name, _("ประธาน") if row.is_host else _("ผู้เข้าร่วม"), row.status_text,
                _when(row.first_joined), left, row.minutes_late if row.status == "late" else None,
                row.connected_minutes, row.connections,
            ]
        for row in self.report.agency_rows:
            left = _("ยังเชื่อมต่ออยู่") if row.still_connected else _when(row.last_left)
            yield [
                "", row.agency.name, _("ส่วนราชการที่ได้รับเชิญ"), row.status_text, _when(row.first_joined), left,
                row.minutes_late if row.status == "late" else None, row.connected_minutes, row.connections,
            ]
        for display in self.report.guests:
            yield ["", display, _("ผู้เข้าร่วมประชุม (ไม่ใช่สถานที่ที่เชิญ)"), _("มาประชุม"), "", "", None, None, None]

    def notes(self) -> list[str]:
        minutes = int(LATE_AFTER.total_seconds() // 60)
        return [_("มาช้า: เชื่อมต่อครั้งแรกหลังเวลาเริ่มเกิน %(minutes)s นาที") % {"minutes": minutes}]


# The join app's registry (as billing's): identifier -> exporter class.
EXPORTERS: dict[str, type[Exporter]] = {AttendanceExport.identifier: AttendanceExport}
