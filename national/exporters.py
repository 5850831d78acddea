"""The national fiscal-year report as CSV, XLSX and PDF, through the shared table exporter (foundation/exporters.py).

One row per province (the 77, those without meetings or lines at zero), the country's totals below, BE fiscal year,
money as Decimal with two places. ``?fy=2562`` is read as billing's fiscal-year reports read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from billing.exporters.fiscal_year import ByFiscalYear
from billing.selectors import TRAVEL_RULE
from foundation.bahttext import bahttext
from foundation.exporters import Column, TableExporter
from foundation.thaidate import format_be_long

from .selectors import NationalSummary, ProvinceFigures, national_summary


class NationalFiscalYearReport(ByFiscalYear, TableExporter):
    identifier = "national"
    verbose_name = "ภาพรวมระดับประเทศ: การประชุมทางไกล ค่าวงจรสื่อสาร และค่าเดินทางที่ประหยัดได้ รายจังหวัด"

    def __init__(self, *, params: dict[str, Any], scope: Any = None) -> None:
        super().__init__(params=params, scope=scope)

    def estimated_rows(self) -> int:
        return len(self.summary.provinces) if hasattr(self, "summary") else 77

    def filename(self, file_format: str) -> str:
        return f"national-{self.fy}.{file_format}"

    def load(self) -> None:
        self.summary: NationalSummary = national_summary(fy=self.fy)

    def title_lines(self) -> list[str]:
        return [
            f"ภาพรวมการประชุมทางไกลระดับประเทศ ปีงบประมาณ {self.fy}",
            f"{format_be_long(self.summary.first_day)} ถึง {format_be_long(self.summary.last_day)} — ทุกจังหวัด",
            self.printed_on(),
        ]

    def columns(self) -> list[Column]:
        return [
            Column("รหัส", "text", 6),
            Column("จังหวัด", "text", 18),
            Column("การประชุมที่จัด", "int", 11),
            Column("สถานที่ได้รับเชิญ (แห่ง-ครั้ง)", "int", 13),
            Column("เชื่อมต่อจริง (แห่ง-ครั้ง)", "int", 13),
            Column("ร้อยละที่เชื่อมต่อ", "km", 10),  # "km": a number with one decimal
            Column("ค่าวงจรสื่อสาร (รวม VAT)", "money", 15),
            Column("ค่าเดินทางที่ประหยัดได้", "money", 15),
            Column("ประหยัดสุทธิ", "money", 15),
        ]

    @staticmethod
    def _row(code: str, name: str, figures: ProvinceFigures) -> list:
        return [
            code, name, figures.meetings_held, figures.invited, figures.connected, figures.connected_percent,
            figures.cost, figures.saved, figures.net,
        ]  # fmt: skip

    def rows(self) -> Iterable[list]:
        for row in self.summary.provinces:
            yield self._row(row.code, row.name_th, row)

    def footer_rows(self) -> list[list]:
        return [self._row("", "รวมทั้งประเทศ", self.summary.totals)]

    def notes(self) -> list[str]:
        totals = self.summary.totals
        notes = [
            f"ประหยัดสุทธิทั้งประเทศ {totals.net:,.2f} บาท ({bahttext(totals.net)})",
            "การประชุมที่จัด: การประชุมที่เริ่มในปีงบประมาณ จบแล้ว และไม่ถูกยกเลิก นับที่จังหวัดของสถานที่ประธาน",
            "ร้อยละที่เชื่อมต่อ: สถานที่ที่ได้รับเชิญ (ไม่นับประธาน) ซึ่งมีบันทึกการเชื่อมต่อ ต่อสถานที่ที่ได้รับเชิญทั้งหมด",
            "ค่าวงจรสื่อสาร: ค่าบริการของทุกเดือนในปีงบประมาณ รวมภาษีมูลค่าเพิ่มและรายการปรับปรุง",
            _(TRAVEL_RULE),
        ]
        if totals.without_distance:
            notes.append(f"ไม่นับ {totals.without_distance:,} ครั้ง เพราะอำเภอยังไม่มีระยะทางถนน: กรอกในหน้าผู้ดูแลระบบ (อำเภอ)")
        return notes
