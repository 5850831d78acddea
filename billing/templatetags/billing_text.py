"""The finance pages' months, dates and district names in the person's language (`{% load billing_text %}`).

Thai pages read as before (`ม.ค. 2562`, `มกราคม 2562`, `5 พ.ค. 2562`, `หนองหาน`); English pages read
`Jan 2019 (B.E. 2562)`, `January 2019 (B.E. 2562)`, `5 May 2019 (B.E. 2562)`, `Nong Han`: the BE year stays,
the Thai month names go. The reports (CSV, XLSX, PDF) stay Thai, as official documents.
"""

from __future__ import annotations

from datetime import date

from django import template
from django.utils.translation import get_language

from foundation.bahttext import bahttext
from foundation.thaidate import BE_OFFSET, format_be_short

from ..periods import month_label, month_label_long

register = template.Library()

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS_LONG = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")


def english() -> bool:
    return (get_language() or "").startswith("en")


@register.filter
def month_text(month: date | None) -> str:
    """`ม.ค. 2562` / `Jan 2019 (B.E. 2562)`."""
    if not isinstance(month, date):
        return ""
    if not english():
        return month_label(month)
    return f"{MONTHS[month.month - 1]} {month.year} (B.E. {month.year + BE_OFFSET})"


@register.filter
def month_text_long(month: date | None) -> str:
    """`มกราคม 2562` / `January 2019 (B.E. 2562)`."""
    if not isinstance(month, date):
        return ""
    if not english():
        return month_label_long(month)
    return f"{MONTHS_LONG[month.month - 1]} {month.year} (B.E. {month.year + BE_OFFSET})"


@register.filter
def day_text(day: date | None) -> str:
    """`5 พ.ค. 2562` / `5 May 2019 (B.E. 2562)`."""
    if not isinstance(day, date):
        return ""
    if not english():
        return format_be_short(day)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year} (B.E. {day.year + BE_OFFSET})"


@register.filter
def district_name(district) -> str:
    """The district's name in the person's language."""
    if district is None:
        return ""
    return district.name_en if english() else district.name_th


@register.filter
def site_text(site) -> str:
    """A site as a sentence names it: its own name in Thai; `Nong Han District` / `Udon Thani Provincial Hall`."""
    if site is None:
        return ""
    if not english():
        return str(site)
    if site.district_id:
        return f"{site.district.name_en} District"
    return f"{site.province.name_en} Provincial Hall"


@register.filter
def amount_in_words(amount) -> str:
    """The amount in Thai words (bahttext), as Thai finance documents write it; nothing on an English page."""
    if english() or amount in (None, ""):
        return ""
    return bahttext(amount)
