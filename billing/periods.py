"""Billing months and fiscal years as typed by people (BE or CE years), with errors that say how to fix them.

Dates, BE years and fiscal years themselves come from ``foundation.thaidate``; this module only reads a *month* and a
*fiscal year* typed in a form, a query string or an API call.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from foundation.thaidate import (
    BE_OFFSET,
    BE_YEAR_MIN,
    CE_YEAR_MIN,
    MONTHS_LONG,
    MONTHS_SHORT,
    fiscal_year,
    fiscal_year_bounds,
    fiscal_year_months,
    parse_thai_date,
)

# The first month any district office was billed: 1 April 2561 BE.
SERVICE_START = date(2018, 4, 1)
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
MONTH_FORMS = gettext_lazy("ใช้รูปแบบ ปปปป-ดด เช่น 2561-04 (พ.ศ.) หรือ 2018-04 (ค.ศ.) หรือ เม.ย. 2561")


def first_of_month(value: date) -> date:
    return value.replace(day=1)


def current_month() -> date:
    """The month it is now in Bangkok."""
    return first_of_month(timezone.localdate())


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def months_between(start: date, end: date) -> list[date]:
    """Every first-of-month from ``start``'s month to ``end``'s month, both included."""
    months, month = [], first_of_month(start)
    while month <= end:
        months.append(month)
        month = next_month(month)
    return months


def month_label(month: date) -> str:
    """``เม.ย. 2561``."""
    return f"{MONTHS_SHORT[month.month - 1]} {month.year + BE_OFFSET}"


def month_label_long(month: date) -> str:
    """``เมษายน 2561``."""
    return f"{MONTHS_LONG[month.month - 1]} {month.year + BE_OFFSET}"


def parse_month(text: str) -> date:
    """Read ``2561-04`` / ``2018-04`` / ``เม.ย. 2561`` / ``04/2561`` as the first day of that month.

    A 4-digit year from 2400 is BE, from 1900 to 2399 CE. Raises a Thai ``ValidationError`` otherwise.
    """
    cleaned = (text or "").strip()
    if not cleaned:
        raise ValidationError(_("ไม่ได้ระบุเดือน: %(forms)s") % {"forms": MONTH_FORMS})
    if match := _YEAR_MONTH.fullmatch(cleaned):
        year, month = int(match.group(1)), int(match.group(2))
        if year >= BE_YEAR_MIN:
            year -= BE_OFFSET
        elif year < CE_YEAR_MIN:
            raise ValidationError(
                _("เดือน “%(text)s” ไม่ถูกต้อง: ปี %(year)s อยู่นอกช่วง %(forms)s")
                % {"text": cleaned, "year": year, "forms": MONTH_FORMS}
            )
        if not 1 <= month <= 12:
            raise ValidationError(
                _("เดือน “%(text)s” ไม่ถูกต้อง: เดือนต้องอยู่ระหว่าง 01 ถึง 12 %(forms)s")
                % {"text": cleaned, "forms": MONTH_FORMS}
            )
        return date(year, month, 1)
    try:
        return parse_thai_date(f"1 {cleaned}" if not cleaned[:1].isdigit() else f"1/{cleaned}")
    except ValueError:
        raise ValidationError(
            _("เดือน “%(text)s” ไม่ถูกต้อง: %(forms)s") % {"text": cleaned, "forms": MONTH_FORMS}
        ) from None


def parse_fiscal_year(value: str | int) -> int:
    """A fiscal year (BE) that exists: from the first one billed (2561) to the current one.

    ``2018`` (a CE year), ``61``, ``abc`` or a year that has not started are refused with a Thai message.
    """
    text = str(value).strip()
    if not text.isdigit():
        raise ValidationError(_("ปีงบประมาณ “%(text)s” ไม่ถูกต้อง: ต้องเป็นปี พ.ศ. 4 หลัก เช่น 2562") % {"text": text})
    fy = int(text)
    try:
        fiscal_year_bounds(fy)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    first, current = fiscal_year(SERVICE_START), fiscal_year(timezone.localdate())
    if fy < first:
        raise ValidationError(
            _(
                "ไม่มีปีงบประมาณ %(fy)s ในระบบ: เริ่มเรียกเก็บค่าบริการตั้งแต่ เม.ย. 2561 (ปีงบประมาณ %(first)s) "
                "เลือกปีงบประมาณ %(first)s ถึง %(current)s"
            )
            % {"fy": fy, "first": first, "current": current}
        )
    if fy > current:
        raise ValidationError(
            _("ปีงบประมาณ %(fy)s ยังไม่เริ่ม: ปีงบประมาณปัจจุบันคือ %(current)s เลือกปีงบประมาณ %(first)s ถึง %(current)s")
            % {"fy": fy, "first": first, "current": current}
        )
    return fy


def fiscal_years_available() -> list[int]:
    """From FY 2561 to the current one, newest first."""
    return list(range(fiscal_year(timezone.localdate()), fiscal_year(SERVICE_START) - 1, -1))


__all__ = [
    "SERVICE_START",
    "current_month",
    "first_of_month",
    "fiscal_year",
    "fiscal_year_bounds",
    "fiscal_year_months",
    "fiscal_years_available",
    "month_label",
    "month_label_long",
    "months_between",
    "next_month",
    "parse_fiscal_year",
    "parse_month",
]
