"""The meeting pages' dates and site names in the person's language (`{% load meeting_text %}`).

Thai pages read as `{% load thai %}` writes them (`27 กุมภาพันธ์ 2561`, `อำเภอนายูง`); English pages read
`27 February 2018 (B.E. 2561)` and `Na Yung District`: the BE year stays, the Thai month names and site names go.
"""

from __future__ import annotations

from datetime import date, datetime

from django import template

from foundation import thaidate
from foundation.thaidate import BANGKOK, BE_OFFSET

from ..services.scheduling.checks import date_text, in_english, site_label

register = template.Library()

ENGLISH_MONTHS_LONG = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                       "October", "November", "December")


def _local(value: date | datetime) -> date | datetime:
    return value.astimezone(BANGKOK) if isinstance(value, datetime) else value


@register.filter
def day_long(value: date | datetime | None) -> str:
    """`27 กุมภาพันธ์ 2561` / `27 February 2018 (B.E. 2561)`."""
    if not isinstance(value, date):
        return ""
    if not in_english():
        return thaidate.format_be_long(value)
    local = _local(value)
    return f"{local.day} {ENGLISH_MONTHS_LONG[local.month - 1]} {local.year} (B.E. {local.year + BE_OFFSET})"


@register.filter
def day_time(value: date | datetime | None) -> str:
    """`27 ก.พ. 2561 09:00 น.` / `27 Feb 2018 (B.E. 2561) 09:00`."""
    if not isinstance(value, date):
        return ""
    return date_text(value, with_time=isinstance(value, datetime))


@register.filter
def hours(start: datetime | None, end: datetime | None) -> str:
    """`09:00–10:00 น.` / `09:00–10:00` (Bangkok time)."""
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        return ""
    text = f"{_local(start):%H:%M}–{_local(end):%H:%M}"
    return text if in_english() else f"{text} น."


@register.filter
def site_name(site) -> str:
    """`อำเภอนายูง` or the hall's name / `Na Yung District`, `Udon Thani Provincial Hall`."""
    return site_label(site) if site is not None else ""


@register.filter
def full_site_name(site) -> str:
    """The site's own name on a Thai page (ที่ทำการปกครองอำเภอนายูง); its English label on an English one."""
    if site is None:
        return ""
    return site_label(site) if in_english() else site.name
