"""(3) The travel-savings report: per month, the travel that meeting online avoided against the connectivity cost."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from foundation.bahttext import bahttext
from foundation.exporters import Column, TableExporter
from foundation.money import money

from ..periods import month_label
from ..selectors import TRAVEL_RULE, MonthSaving, travel_savings
from .fiscal_year import ByFiscalYear


class TravelSavingsReport(ByFiscalYear, TableExporter):
    identifier = "travel_savings"
    verbose_name = "รายงานค่าเดินทางที่ประหยัดได้เทียบกับค่าวงจรสื่อสาร"

    def estimated_rows(self) -> int:
        return 12

    def filename(self, file_format: str) -> str:
        return f"travel-savings-{self.fy}.{file_format}"

    def load(self) -> None:
        self.savings = travel_savings(scope=self.scope, fy=self.fy)

    def title_lines(self) -> list[str]:
        return [
            f"ค่าเดินทางที่ประหยัดได้จากการประชุมทางไกล ปีงบประมาณ {self.fy} — {self.scope.label}",
            self.printed_on(),
        ]

    def columns(self) -> list[Column]:
        return [
            Column("เดือน", "text", 12),
            Column("จำนวนการประชุม", "int", 12),
            Column("อำเภอที่เข้าร่วม (ครั้ง)", "int", 14),
            Column("ระยะทางไป-กลับ (กม.)", "km", 14),
            Column("ค่าพาหนะ (4 บาท/กม.)", "money", 15),
            Column("ค่าเบี้ยเลี้ยง", "money", 13),
            Column("ค่าเดินทางที่ประหยัดได้", "money", 16),
            Column("ค่าวงจรสื่อสาร", "money", 14),
            Column("ประหยัดสุทธิ", "money", 14),
        ]

    @staticmethod
    def _row(label: str, m: MonthSaving) -> list:
        return [
            label, m.meeting_count, m.attendances, m.km, money(m.mileage), money(m.per_diem),
            m.travel, money(m.connectivity), m.net,
        ]  # fmt: skip

    def rows(self) -> Iterable[list]:
        for month in self.savings.months:
            yield self._row(month_label(month.month), month)

    def footer_rows(self) -> list[list]:
        return [self._row("รวม", self.savings.totals)]

    def notes(self) -> list[str]:
        net = self.savings.totals.net
        notes = [f"ประหยัดสุทธิทั้งปี {net:,.2f} บาท ({bahttext(net)})", _(TRAVEL_RULE)]
        if self.savings.without_distance:
            notes.append(
                f"ไม่นับ {self.savings.without_distance} ครั้ง เพราะอำเภอยังไม่มีระยะทางถนน: กรอกในหน้าผู้ดูแลระบบ (อำเภอ)"
            )
        sources = self.savings.sources
        notes.append(
            f"การประชุมที่นับจากบันทึกการเชื่อมต่อ {sources.get('attendance', 0)} ครั้ง "
            f"จากหนังสือเชิญ (ไม่มีบันทึกการเชื่อมต่อ) {sources.get('participations', 0)} ครั้ง"
        )
        return notes
