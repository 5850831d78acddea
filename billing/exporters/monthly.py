"""(1) The monthly utility-cost report (รายงานค่าสาธารณูปโภค): what each district office owes for one month."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from foundation.bahttext import bahttext
from foundation.exporters import Column, TableExporter
from foundation.thaidate import BE_OFFSET, format_be_short

from ..models import Charge
from ..periods import month_label, month_label_long, parse_month
from ..selectors import Totals, month_has_charges, monthly_report_charges


class MonthlyUtilityReport(TableExporter):
    identifier = "monthly"
    verbose_name = "รายงานค่าสาธารณูปโภค (ค่าวงจรสื่อสาร) ประจำเดือน"
    signature_block = True
    # One table with its header row repeated on every page, the signature block kept with the last rows and totals.
    pdf_template = "billing/monthly_pdf.html"

    @classmethod
    def parse_params(cls, query: Mapping[str, str]) -> dict[str, Any]:
        try:
            month = parse_month(query.get("month", ""))
        except ValidationError as error:
            raise ValidationError({"month": error.messages}) from None
        return {"month": month.isoformat()}

    @property
    def month(self) -> date:
        return date.fromisoformat(self.params["month"])

    def check(self) -> None:
        if not month_has_charges(scope=self.scope, month=self.month):
            raise ValidationError(
                {
                    "month": f"ไม่มีรายการค่าบริการของเดือน {month_label(self.month)} ใน{self.scope.label}: "
                    "เริ่มเรียกเก็บตั้งแต่ เม.ย. 2561 และค่าบริการของเดือนจะถูกสร้างในวันที่ 1 ของเดือน "
                    "เลือกเดือนอื่น หรือสร้างค่าบริการของเดือนนั้นก่อน (คำสั่ง generate_charges)"
                }
            )

    def estimated_rows(self) -> int:
        if hasattr(self, "charges"):
            return len(self.charges)
        return Charge.objects.filter(self.scope.site_filter("line__site__"), month=self.month).count()

    def filename(self, file_format: str) -> str:
        # The BE month the page shows (utility-cost-2561-10.csv), in ASCII so every browser keeps the name.
        return f"utility-cost-{self.month.year + BE_OFFSET}-{self.month:%m}.{file_format}"

    def load(self) -> None:
        self.charges = monthly_report_charges(scope=self.scope, month=self.month)
        self.totals = Totals()
        for charge in self.charges:
            self.totals.add(charge)

    def title_lines(self) -> list[str]:
        return [
            "รายงานค่าสาธารณูปโภค (ค่าบริการวงจรสื่อสารระบบประชุมทางไกล)",
            f"ประจำเดือน {month_label_long(self.month)} — {self.scope.label}",
            self.printed_on(),
        ]

    def columns(self) -> list[Column]:
        return [
            Column("ลำดับ", "int", 7),
            Column("รหัสอำเภอ", "text", 10),
            Column("ที่ทำการปกครองอำเภอ", "text", 34),
            Column("หมายเลขวงจร", "text", 14),
            Column("รายการ", "text", 30),
            Column("ค่าบริการ (ไม่รวม VAT)", "money", 16),
            Column("ภาษีมูลค่าเพิ่ม", "money", 14),
            Column("รวมทั้งสิ้น", "money", 16),
            Column("สถานะ", "text", 11),
            Column("เลขที่ใบแจ้งหนี้", "text", 16),
            Column("วันที่ชำระ", "text", 13),
        ]

    def rows(self) -> Iterable[list]:
        for number, charge in enumerate(self.charges, start=1):
            site = charge.line.site
            if charge.kind == Charge.Kind.REGULAR:
                item = f"ค่าบริการเดือน {month_label(charge.month)} (VAT {charge.vat_rate * 100:.0f}%)"
            else:
                item = f"ปรับปรุง: {charge.reason}"
            yield [
                number,
                site.district.code,
                site.name,
                charge.line.circuit_id,
                item,
                charge.fee,
                charge.vat,
                charge.total,
                charge.get_status_display(),
                charge.invoice_number,
                format_be_short(charge.paid_on) if charge.paid_on else "",
            ]

    def footer_rows(self) -> list[list]:
        t = self.totals
        return [[None, "", "รวมทั้งสิ้น", "", f"{t.count} รายการ", t.fee, t.vat, t.total, "", "", ""]]

    def notes(self) -> list[str]:
        total = self.totals.total
        return [
            f"จำนวนเงินรวมทั้งสิ้น {total:,.2f} บาท",
            f"ตัวอักษร: ({bahttext(total)})",
            "เบิกจ่ายเป็นค่าสาธารณูปโภค (ค่าบริการสื่อสารและโทรคมนาคม)",
            self.closing_note(),
        ]

    def closing_note(self) -> str:
        """Whether the month is closed: a report printed before closing says its amounts may still change."""
        locks = [charge.locked_at for charge in self.charges]
        if locks and all(locks):
            return f"ปิดงวดแล้วเมื่อ {format_be_short(max(locks), with_time=True)}: ยอดของเดือนนี้ไม่เปลี่ยนอีก"
        return "ยังไม่ปิดงวด: ยอดของเดือนนี้อาจยังเปลี่ยนได้ ปิดงวดได้ที่หน้าค่าใช้จ่ายวงจรสื่อสาร (ปุ่ม “ปิดงวดเดือนนี้”)"

    @property
    def grand_total(self) -> Decimal:
        return self.totals.total
