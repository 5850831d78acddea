"""The {% load thai %} filters, rendered through Django templates (TIME_ZONE Asia/Bangkok, USE_TZ)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template

pytestmark = pytest.mark.unit


def render(source: str, **context) -> str:
    return Template("{% load thai %}" + source).render(Context(context))


def test_be_date_filters():
    day = date(2018, 2, 27)
    assert render("{{ d|be_date }}", d=day) == "27 ก.พ. 2561"
    assert render("{{ d|be_date_long }}", d=day) == "27 กุมภาพันธ์ 2561"
    assert render("{{ d|be_date|thai_digits }}", d=day) == "๒๗ ก.พ. ๒๕๖๑"


def test_be_datetime_shows_bangkok_time():
    utc = datetime(2018, 4, 11, 20, 0, tzinfo=UTC)
    assert render("{{ t|be_datetime }}", t=utc) == "12 เม.ย. 2561 03:00 น."
    assert render("{{ t|be_date }}", t=utc) == "12 เม.ย. 2561"
    assert render("{{ t|be_date_long }}", t=utc) == "12 เมษายน 2561"


def test_be_datetime_of_a_plain_date_shows_the_date():
    assert render("{{ d|be_datetime }}", d=date(2018, 4, 12)) == "12 เม.ย. 2561"


def test_date_filters_render_nothing_for_empty_or_unusable_values():
    assert render("[{{ d|be_date }}]", d=None) == "[]"
    assert render("[{{ d|be_date_long }}]", d="") == "[]"
    assert render("[{{ d|be_datetime }}]", d="2018-04-12") == "[]"
    assert render("[{{ d|fiscal_year }}]", d=None) == "[]"
    assert render("[{{ missing|be_date }}]") == "[]"


def test_bahttext_filter():
    assert render("{{ a|bahttext }}", a=Decimal("1337.50")) == "หนึ่งพันสามร้อยสามสิบเจ็ดบาทห้าสิบสตางค์"
    assert render("{{ a|bahttext }}", a=Decimal("321000")) == "สามแสนสองหมื่นหนึ่งพันบาทถ้วน"
    assert render("[{{ a|bahttext }}]", a=None) == "[]"
    assert render("[{{ a|bahttext }}]", a=1337.5) == "[]"  # float is never money


def test_money_filter():
    assert render("{{ a|money }}", a=Decimal("1337.5")) == "1,337.50"
    assert render("{{ a|money }}", a=Decimal("321000")) == "321,000.00"
    assert render("{{ a|money }}", a=Decimal("87.495")) == "87.50"
    assert render("{{ a|money }}", a=Decimal("-1250")) == "-1,250.00"
    assert render("{{ a|money }}", a=0) == "0.00"
    assert render("[{{ a|money }}]", a=None) == "[]"
    assert render("[{{ a|money }}]", a=1.5) == "[]"


def test_fiscal_year_filter():
    assert render("{{ d|fiscal_year }}", d=date(2017, 10, 1)) == "2561"
    assert render("{{ d|fiscal_year }}", d=date(2018, 9, 30)) == "2561"
    assert render("{{ d|fiscal_year }}", d=date(2018, 10, 1)) == "2562"
    assert render("{{ d|fiscal_year|thai_digits }}", d=date(2018, 4, 12)) == "๒๕๖๑"


def test_thai_digits_filter():
    assert render("{{ s|thai_digits }}", s="09:00") == "๐๙:๐๐"
    assert render("{{ n|thai_digits }}", n=2561) == "๒๕๖๑"
    assert render("[{{ n|thai_digits }}]", n=None) == "[]"


def test_thai_digits_keeps_escaping():
    assert render("{{ s|thai_digits }}", s="<b>1</b>") == "&lt;b&gt;๑&lt;/b&gt;"
