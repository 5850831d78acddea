"""The single rounding rule for money in prachum: ``Decimal``, two places, ROUND_HALF_UP, never float.

Every amount that is shown, stored or converted to words goes through :func:`money` first, so a figure
is rounded the same way everywhere (screen, CSV, PDF, bahttext).
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

SATANG = Decimal("0.01")


def money(value: Decimal | int | str) -> Decimal:
    """Return ``value`` as a ``Decimal`` rounded to the satang (0.01) with ROUND_HALF_UP.

    Accepts ``Decimal``, ``int`` or a decimal string such as ``"1337.5"``. A ``float`` (or ``bool``) is
    refused with ``TypeError``: binary floating point cannot hold most baht amounts exactly. A string that
    is not a finite decimal number raises ``ValueError``. Zero is always returned as ``0.00``, never
    ``-0.00``.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise TypeError(
            _('money() ต้องการ Decimal, int หรือ str ไม่ใช่ %(type)s: จำนวนเงินห้ามเป็น float (ใช้ Decimal("1250.00"))')
            % {"type": type(value).__name__}
        )
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(_("จำนวนเงินไม่ถูกต้อง: %(value)s ต้องเป็นตัวเลข เช่น 1250.00") % {"value": repr(value)}) from None
    if not amount.is_finite():
        raise ValueError(_("จำนวนเงินไม่ถูกต้อง: %(value)s ต้องเป็นตัวเลขจำกัด เช่น 1250.00") % {"value": repr(value)})
    try:
        rounded = amount.quantize(SATANG, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(_("จำนวนเงินไม่ถูกต้อง: %(value)s มีจำนวนหลักมากเกินไป") % {"value": repr(value)}) from None
    return abs(rounded) if rounded == 0 else rounded


def vat_of(amount: Decimal | int | str, rate: Decimal | int | str) -> Decimal:
    """Return the VAT on ``amount`` at ``rate``, rounded with :func:`money`.

    ``rate`` is a fraction, e.g. ``Decimal("0.07")`` for 7 %; it comes from the dated VAT rate in force
    for the period, never from a constant. A rate outside 0..1 (such as ``7`` meaning 7 %) raises
    ``ValueError``; a ``float`` rate or amount raises ``TypeError``.

    >>> vat_of(Decimal("1250.00"), Decimal("0.07"))
    Decimal('87.50')
    """
    if isinstance(rate, bool) or not isinstance(rate, Decimal | int | str):
        raise TypeError(_('อัตราภาษีต้องเป็น Decimal ไม่ใช่ %(type)s (ใช้ Decimal("0.07"))') % {"type": type(rate).__name__})
    try:
        rate_value = Decimal(rate)
    except InvalidOperation:
        raise ValueError(_("อัตราภาษีไม่ถูกต้อง: %(rate)s ต้องเป็นเศษส่วน เช่น 0.07") % {"rate": repr(rate)}) from None
    if not rate_value.is_finite() or not 0 <= rate_value < 1:
        raise ValueError(
            _("อัตราภาษีไม่ถูกต้อง: %(rate)s ต้องเป็นเศษส่วนระหว่าง 0 ถึง 1 เช่น 0.07 สำหรับ 7%%") % {"rate": repr(rate)}
        )
    return money(money(amount) * rate_value)
