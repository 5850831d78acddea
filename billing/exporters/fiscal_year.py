"""(2) The fiscal-year summary: district offices × the 12 months October..September, with totals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from foundation.bahttext import bahttext
from foundation.exporters import Column, TableExporter
from foundation.money import money

from ..models import ConnectivityLine
from ..periods import month_label, parse_fiscal_year
from ..selectors import fiscal_year_matrix


class ByFiscalYear:
    """A report of one fiscal year: `?fy=2562` (BE), refused clearly when it does not exist."""

    params: dict[str, Any]

    @classmethod
    def parse_params(cls, query: Mapping[str, str]) -> dict[str, Any]:
        try:
            return {"fy": parse_fiscal_year(query.get("fy", ""))}
        except ValidationError as error:
            raise ValidationError({"fy": error.messages}) from None

    @property
    def fy(self) -> int:
        return int(self.params["fy"])


class FiscalYearSummary(ByFiscalYear, TableExporter):
    identifier = "fiscal_year"
    verbose_name = "สรุปค่าวงจรสื่อสารรายปีงบประมาณ (อำเภอ × เดือน)"

    @property
    def country_wide(self) -> bool:
        return self.scope.province_id is None

    def estimated_rows(self) -> int:
        if hasattr(self, "matrix_rows"):
            return len(self.matrix_rows)
        return ConnectivityLine.objects.filter(self.scope.site_filter("site__")).count()

    def filename(self, file_format: str) -> str:
        return f"fiscal-year-{self.fy}.{file_format}"

    def load(self) -> None:
        self.months, self.matrix_rows = fiscal_year_matrix(scope=self.scope, fy=self.fy)
        self.column_totals = [money(sum((r.months[i] for r in self.matrix_rows), Decimal(0))) for i in range(12)]
        self.grand_total = money(sum(self.column_totals, Decimal(0)))

    def title_lines(self) -> list[str]:
        return [
            f"สรุปค่าบริการวงจรสื่อสารระบบประชุมทางไกล ปีงบประมาณ {self.fy} (รวมภาษีมูลค่าเพิ่ม)",
            f"1 ตุลาคม {self.fy - 1} ถึง 30 กันยายน {self.fy} — {self.scope.label}",
            self.printed_on(),
        ]

    def columns(self) -> list[Column]:
        lead = [Column("จังหวัด", "text", 14)] if self.country_wide else []
        return [
            *lead,
            Column("รหัส", "text", 7),
            Column("อำเภอ", "text", 16),
            *[Column(month_label(m), "money", 11) for m in self.months],
            Column("รวม", "money", 13),
        ]

    def rows(self) -> Iterable[list]:
        for row in self.matrix_rows:
            lead = [row.province_name] if self.country_wide else []
            yield [*lead, row.district_code, row.district_name, *row.months, row.total]

    def footer_rows(self) -> list[list]:
        lead = [""] if self.country_wide else []
        return [[*lead, "", "รวม", *self.column_totals, self.grand_total]]

    def notes(self) -> list[str]:
        return [
            f"รวมทั้งปีงบประมาณ {self.grand_total:,.2f} บาท ({bahttext(self.grand_total)})",
            f"จำนวนอำเภอ {len(self.matrix_rows)} แห่ง",
        ]
