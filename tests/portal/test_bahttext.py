"""Amounts in Thai words for finance documents."""

from decimal import Decimal

import pytest

from foundation.bahttext import bahttext

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        # Every example of DOMAIN.md.
        ("1337.50", "หนึ่งพันสามร้อยสามสิบเจ็ดบาทห้าสิบสตางค์"),
        ("1250", "หนึ่งพันสองร้อยห้าสิบบาทถ้วน"),
        ("101", "หนึ่งร้อยเอ็ดบาทถ้วน"),
        ("11.11", "สิบเอ็ดบาทสิบเอ็ดสตางค์"),
        ("321000", "สามแสนสองหมื่นหนึ่งพันบาทถ้วน"),
        ("0.01", "หนึ่งสตางค์"),
        # The other amounts of the domain.
        ("87.50", "แปดสิบเจ็ดบาทห้าสิบสตางค์"),
        ("26750.00", "สองหมื่นหกพันเจ็ดร้อยห้าสิบบาทถ้วน"),
    ],
)
def test_domain_examples(amount, words):
    assert bahttext(Decimal(amount)) == words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1", "หนึ่งบาทถ้วน"),
        ("10", "สิบบาทถ้วน"),
        ("11", "สิบเอ็ดบาทถ้วน"),
        ("20", "ยี่สิบบาทถ้วน"),
        ("21", "ยี่สิบเอ็ดบาทถ้วน"),
        ("100", "หนึ่งร้อยบาทถ้วน"),
        ("1001", "หนึ่งพันเอ็ดบาทถ้วน"),
        ("1000000", "หนึ่งล้านบาทถ้วน"),
        ("1000001", "หนึ่งล้านเอ็ดบาทถ้วน"),
        ("1000010", "หนึ่งล้านสิบบาทถ้วน"),
        ("21000000", "ยี่สิบเอ็ดล้านบาทถ้วน"),
        ("100000001", "หนึ่งร้อยล้านเอ็ดบาทถ้วน"),
        ("1000000000000", "หนึ่งล้านล้านบาทถ้วน"),
        ("1.01", "หนึ่งบาทหนึ่งสตางค์"),
        ("0.21", "ยี่สิบเอ็ดสตางค์"),
        ("0.10", "สิบสตางค์"),
    ],
)
def test_number_rules(amount, words):
    assert bahttext(Decimal(amount)) == words


def test_zero():
    assert bahttext(Decimal(0)) == "ศูนย์บาทถ้วน"
    assert bahttext(Decimal("0.004")) == "ศูนย์บาทถ้วน"


def test_negative_amounts_start_with_lob():
    assert bahttext(Decimal("-1250")) == "ลบหนึ่งพันสองร้อยห้าสิบบาทถ้วน"
    assert bahttext(Decimal("-0.5")) == "ลบห้าสิบสตางค์"


def test_rounds_to_satang_half_up_first():
    assert bahttext(Decimal("0.005")) == "หนึ่งสตางค์"
    assert bahttext(Decimal("1.995")) == "สองบาทถ้วน"


def test_int_and_str_are_accepted():
    assert bahttext(101) == "หนึ่งร้อยเอ็ดบาทถ้วน"
    assert bahttext("11.11") == "สิบเอ็ดบาทสิบเอ็ดสตางค์"


def test_float_is_refused():
    with pytest.raises(TypeError, match="float"):
        bahttext(1337.50)
