"""Amounts in Thai words (bahttext) for finance documents.

``bahttext(Decimal("1337.50"))`` -> ``"หนึ่งพันสามร้อยสามสิบเจ็ดบาทห้าสิบสตางค์"``.

Rules: the amount is rounded to the satang with :func:`foundation.money.money` first; "เอ็ด" is said for a
final 1 only in a number of two or more digits (1 -> หนึ่ง, 11 -> สิบเอ็ด, 101 -> หนึ่งร้อยเอ็ด,
1,000,001 -> หนึ่งล้านเอ็ด); 2 in the tens is "ยี่", 1 in the tens is just "สิบ"; millions repeat
(ล้านล้าน); whole baht end with "ถ้วน"; a negative amount starts with "ลบ"; zero is "ศูนย์บาทถ้วน".
"""

from decimal import Decimal

from foundation.money import money

_DIGITS = ("ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า")
# Place names inside one group of six digits, from the units up; the tens (สิบ) are handled apart.
_PLACES = ("", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน")
_MILLION = 1_000_000


def _group_words(number: int, *, has_higher: bool) -> str:
    """Words for ``0 < number < 1,000,000``; ``has_higher`` says millions come before it."""
    digits = str(number)
    size = len(digits)
    words = []
    for index, char in enumerate(digits):
        digit = int(char)
        place = size - 1 - index
        if digit == 0:
            continue
        if place == 0:
            # เอ็ด when the whole number has two or more digits and ends in 1.
            words.append("เอ็ด" if digit == 1 and (size > 1 or has_higher) else _DIGITS[digit])
        elif place == 1:
            words.append({1: "สิบ", 2: "ยี่สิบ"}.get(digit, _DIGITS[digit] + "สิบ"))
        else:
            words.append(_DIGITS[digit] + _PLACES[place])
    return "".join(words)


def _number_words(number: int, *, has_higher: bool = False) -> str:
    """Words for a positive integer of any size, millions expressed recursively."""
    if number < _MILLION:
        return _group_words(number, has_higher=has_higher)
    millions, rest = divmod(number, _MILLION)
    words = _number_words(millions, has_higher=has_higher) + "ล้าน"
    if rest:
        words += _group_words(rest, has_higher=True)
    return words


def bahttext(amount: Decimal | int | str) -> str:
    """Return ``amount`` in Thai words, as printed on Thai finance documents.

    ``amount`` is a ``Decimal`` (an ``int`` or decimal string is accepted too); a ``float`` raises
    ``TypeError`` because money is never float. The amount is rounded to the satang first.

    >>> bahttext(Decimal("1250"))
    'หนึ่งพันสองร้อยห้าสิบบาทถ้วน'
    >>> bahttext(Decimal("0.01"))
    'หนึ่งสตางค์'
    """
    if isinstance(amount, float):
        raise TypeError('bahttext() ไม่รับ float: จำนวนเงินต้องเป็น Decimal เช่น Decimal("1337.50")')
    rounded = money(amount)
    if rounded == 0:
        return "ศูนย์บาทถ้วน"
    sign = "ลบ" if rounded < 0 else ""
    satang_total = int(abs(rounded) * 100)
    baht, satang = divmod(satang_total, 100)
    words = sign
    if baht:
        words += _number_words(baht) + "บาท"
    if satang:
        words += _number_words(satang) + "สตางค์"
    else:
        words += "ถ้วน"
    return words
