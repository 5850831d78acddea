"""Forms of the finance pages: the charges filter and the payment form. Thai errors that say how to fix them."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError

from foundation.fields import ThaiDateField
from foundation.thaidate import MONTHS_SHORT

from .models import Charge
from .periods import current_month, fiscal_year, fiscal_year_months, parse_fiscal_year

# October first: the order of a fiscal year.
MONTH_CHOICES = [("", "ทั้งปีงบประมาณ")] + [(str(m), MONTHS_SHORT[m - 1]) for m in (*range(10, 13), *range(1, 10))]
STATUS_CHOICES = [("", "ทุกสถานะ"), *Charge.Status.choices]


class ChargeFilterForm(forms.Form):
    fy = forms.CharField(label="ปีงบประมาณ", required=False)
    month = forms.ChoiceField(label="เดือน", choices=MONTH_CHOICES, required=False)
    district = forms.ChoiceField(label="อำเภอ", required=False)
    status = forms.ChoiceField(label="สถานะ", choices=STATUS_CHOICES, required=False)

    def __init__(self, *args, districts: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", "ทุกอำเภอ"), *districts]
        self.fields["district"].error_messages["invalid_choice"] = "ไม่พบอำเภอนี้ในขอบเขตของท่าน: เลือกจากรายการ"
        self.fields["status"].error_messages["invalid_choice"] = "สถานะไม่ถูกต้อง: เลือก ค้างชำระ หรือ ชำระแล้ว"

    @staticmethod
    def defaults() -> dict[str, str]:
        """This fiscal year and this month (in Bangkok)."""
        month = current_month()
        return {"fy": str(fiscal_year(month)), "month": str(month.month)}

    def clean_fy(self) -> int:
        value = self.cleaned_data.get("fy") or self.defaults()["fy"]
        try:
            return parse_fiscal_year(value)
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    @property
    def months(self) -> list[datetime.date]:
        months = fiscal_year_months(self.cleaned_data["fy"])
        if self.cleaned_data.get("month"):
            return [m for m in months if m.month == int(self.cleaned_data["month"])]
        return months


class ChargePayForm(forms.Form):
    invoice_number = forms.CharField(
        label="เลขที่ใบแจ้งหนี้/ใบกำกับภาษีของผู้ให้บริการ",
        max_length=50,
        error_messages={"required": "กรอกเลขที่ใบแจ้งหนี้ตามที่พิมพ์บนใบแจ้งหนี้ของผู้ให้บริการ"},
    )
    paid_on = ThaiDateField(label="วันที่ชำระ", error_messages={"required": "กรอกวันที่ชำระเงิน เช่น 05/05/2561"})
