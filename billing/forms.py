"""Forms of the finance pages: the charges filter and the payment form. Thai errors that say how to fix them."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from foundation.fields import ThaiDateField

from .models import Charge
from .periods import current_month, fiscal_year, fiscal_year_months, parse_fiscal_year

# The months' short names as foundation.thaidate.MONTHS_SHORT writes them, through the catalogue (English pages).
MONTH_NAMES = {
    1: _("ม.ค."), 2: _("ก.พ."), 3: _("มี.ค."), 4: _("เม.ย."), 5: _("พ.ค."), 6: _("มิ.ย."),
    7: _("ก.ค."), 8: _("ส.ค."), 9: _("ก.ย."), 10: _("ต.ค."), 11: _("พ.ย."), 12: _("ธ.ค."),
}
# October first: the order of a fiscal year.
MONTH_CHOICES = [("", _("ทั้งปีงบประมาณ"))] + [(str(m), MONTH_NAMES[m]) for m in (*range(10, 13), *range(1, 10))]
STATUS_CHOICES = [("", _("ทุกสถานะ")), *Charge.Status.choices]


class ChargeFilterForm(forms.Form):
    fy = forms.CharField(label=_("ปีงบประมาณ"), required=False)
    month = forms.ChoiceField(label=_("เดือน"), choices=MONTH_CHOICES, required=False,
                              error_messages={"invalid_choice": _("เดือนไม่ถูกต้อง: เลือกเดือนจากรายการ")})
    district = forms.ChoiceField(label=_("อำเภอ"), required=False)
    status = forms.ChoiceField(label=_("สถานะ"), choices=STATUS_CHOICES, required=False)

    def __init__(self, *args, districts: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("ทุกอำเภอ")), *districts]
        self.fields["district"].error_messages["invalid_choice"] = _("ไม่พบอำเภอนี้ในขอบเขตของท่าน: เลือกจากรายการ")
        self.fields["status"].error_messages["invalid_choice"] = _("สถานะไม่ถูกต้อง: เลือก ค้างชำระ หรือ ชำระแล้ว")

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
        label=_("เลขที่ใบแจ้งหนี้/ใบกำกับภาษีของผู้ให้บริการ"),
        max_length=50,
        error_messages={
            "required": _("กรอกเลขที่ใบแจ้งหนี้ตามที่พิมพ์บนใบแจ้งหนี้ของผู้ให้บริการ"),
            "max_length": _("เลขที่ใบแจ้งหนี้ยาวได้ไม่เกิน %(limit_value)d ตัวอักษร: ตรวจว่าพิมพ์เฉพาะเลขที่"),
        },
    )
    paid_on = ThaiDateField(label=_("วันที่ชำระ"), error_messages={"required": _("กรอกวันที่ชำระเงิน เช่น 05/05/2561")})
