"""Thai template filters: BE dates, Thai digits, bahttext, money, fiscal year.

``{% load thai %}`` then ``{{ meeting.starts_at|be_datetime }}`` -> ``12 เม.ย. 2561 09:00 น.``.

Like Django's own filters, these render an empty string for an empty or unusable value rather than
failing the whole page; the pure functions behind them (``foundation.thaidate``, ``foundation.bahttext``,
``foundation.money``) raise, and are what code and tests should call.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import template

from foundation import thaidate
from foundation.bahttext import bahttext as _bahttext
from foundation.money import money as _money

register = template.Library()


def _is_date(value: Any) -> bool:
    return isinstance(value, date | datetime)


@register.filter
def be_date(value: date | datetime | None) -> str:
    """``27 ก.พ. 2561``: a date or aware datetime (in Bangkok time), BE year."""
    if not _is_date(value):
        return ""
    try:
        return thaidate.format_be_short(value)
    except ValueError:
        return ""


@register.filter
def be_date_long(value: date | datetime | None) -> str:
    """``27 กุมภาพันธ์ 2561``: the official long form."""
    if not _is_date(value):
        return ""
    try:
        return thaidate.format_be_long(value)
    except ValueError:
        return ""


@register.filter
def be_datetime(value: date | datetime | None) -> str:
    """``27 ก.พ. 2561 09:00 น.`` for an aware datetime (Bangkok time); a plain date shows without time."""
    if not _is_date(value):
        return ""
    try:
        return thaidate.format_be_short(value, with_time=isinstance(value, datetime))
    except ValueError:
        return ""


@register.filter(is_safe=True)
def thai_digits(value: Any) -> str:
    """Replace Arabic digits with Thai digits ๐-๙: ``{{ meeting.starts_at|be_date|thai_digits }}``."""
    if value is None:
        return ""
    return thaidate.to_thai_digits(str(value))


@register.filter(name="bahttext")
def bahttext_filter(value: Decimal | int | str | None) -> str:
    """The amount in Thai words: ``1337.50`` -> ``หนึ่งพันสามร้อยสามสิบเจ็ดบาทห้าสิบสตางค์``."""
    if value is None or value == "":
        return ""
    try:
        return _bahttext(value)
    except (TypeError, ValueError):
        return ""


@register.filter(name="money")
def money_filter(value: Decimal | int | str | None) -> str:
    """A Decimal amount with thousands separators and two places: ``1,337.50``."""
    if value is None or value == "":
        return ""
    try:
        return f"{_money(value):,.2f}"
    except (TypeError, ValueError):
        return ""


@register.filter(name="fiscal_year")
def fiscal_year_filter(value: date | datetime | None) -> int | str:
    """The Thai fiscal year (BE) a date falls in: 1 Oct 2560 -> ``2561``."""
    if not _is_date(value):
        return ""
    try:
        return thaidate.fiscal_year(value)
    except ValueError:
        return ""
