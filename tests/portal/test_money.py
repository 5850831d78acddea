"""The single rounding rule: Decimal, 2 places, ROUND_HALF_UP, never float."""

from decimal import Decimal

import pytest

from foundation.money import money, vat_of

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1337.5"), Decimal("1337.50")),
        (Decimal("0.005"), Decimal("0.01")),
        (Decimal("0.004"), Decimal("0.00")),
        (Decimal("2.675"), Decimal("2.68")),  # float would give 2.67
        (Decimal("-0.005"), Decimal("-0.01")),
        (1250, Decimal("1250.00")),
        ("87.495", Decimal("87.50")),
        (" 12.3 ", Decimal("12.30")),
    ],
)
def test_money_rounds_half_up_to_satang(value, expected):
    result = money(value)
    assert result == expected
    assert result.as_tuple().exponent == -2


def test_money_never_returns_negative_zero():
    assert str(money(Decimal("-0.001"))) == "0.00"


@pytest.mark.parametrize("value", [1.5, True, None, [1]])
def test_money_refuses_float_and_other_types(value):
    with pytest.raises(TypeError):
        money(value)


@pytest.mark.parametrize("value", ["abc", "1,250.00", "NaN", "Infinity", ""])
def test_money_refuses_text_that_is_not_a_number(value):
    with pytest.raises(ValueError, match="จำนวนเงินไม่ถูกต้อง"):
        money(value)


def test_vat_of_domain_example():
    """1,250.00 + 87.50 VAT = 1,337.50 a month per district; 20 districts and 12 months add up."""
    vat = vat_of(Decimal("1250.00"), Decimal("0.07"))
    assert vat == Decimal("87.50")
    monthly = money(Decimal("1250.00") + vat)
    assert monthly == Decimal("1337.50")
    assert monthly * 20 == Decimal("26750.00")
    assert monthly * 20 * 12 == Decimal("321000.00")


def test_vat_of_rounds_with_money():
    assert vat_of(Decimal("0.07"), Decimal("0.07")) == Decimal("0.00")
    assert vat_of(Decimal("0.08"), Decimal("0.07")) == Decimal("0.01")  # 0.0056 -> 0.01


@pytest.mark.parametrize("rate", [Decimal(7), Decimal("-0.07"), Decimal(1)])
def test_vat_of_refuses_a_rate_that_is_not_a_fraction(rate):
    with pytest.raises(ValueError, match="อัตราภาษีไม่ถูกต้อง"):
        vat_of(Decimal("1250.00"), rate)


def test_vat_of_refuses_float():
    with pytest.raises(TypeError):
        vat_of(Decimal("1250.00"), 0.07)
    with pytest.raises(TypeError):
        vat_of(1250.0, Decimal("0.07"))
