"""Buddhist-era dates, Thai month names and the Thai government fiscal year."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from foundation.thaidate import (
    MONTHS_LONG,
    MONTHS_SHORT,
    be_year,
    fiscal_year,
    fiscal_year_bounds,
    fiscal_year_months,
    format_be_long,
    format_be_short,
    parse_thai_date,
    to_thai_digits,
)

pytestmark = pytest.mark.unit

BANGKOK = ZoneInfo("Asia/Bangkok")
DECISION_DAY = date(2018, 2, 27)  # the province decided on 27 February 2561


# --- Buddhist Era -------------------------------------------------------------------------------


def test_be_year_is_ce_plus_543():
    assert be_year(date(2018, 1, 1)) == 2561
    assert be_year(DECISION_DAY) == 2561


def test_be_year_of_an_aware_datetime_is_taken_in_bangkok():
    # 31 Dec 2017 20:00 UTC is already 1 Jan 2018 in Bangkok.
    assert be_year(datetime(2017, 12, 31, 20, 0, tzinfo=UTC)) == 2561


def test_month_names_exactly():
    assert MONTHS_SHORT == (
        "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
        "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
    )  # fmt: skip
    assert MONTHS_LONG == (
        "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
        "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
    )  # fmt: skip


def test_format_short_and_long():
    assert format_be_short(DECISION_DAY) == "27 ก.พ. 2561"
    assert format_be_long(DECISION_DAY) == "27 กุมภาพันธ์ 2561"
    assert format_be_short(date(2017, 10, 1)) == "1 ต.ค. 2560"


def test_every_month_formats():
    for month in range(1, 13):
        assert format_be_short(date(2018, month, 1)) == f"1 {MONTHS_SHORT[month - 1]} 2561"
        assert format_be_long(date(2018, month, 1)) == f"1 {MONTHS_LONG[month - 1]} 2561"


def test_format_with_time_in_bangkok():
    morning = datetime(2018, 4, 12, 9, 0, tzinfo=BANGKOK)  # the Songkran daily briefing
    assert format_be_short(morning, with_time=True) == "12 เม.ย. 2561 09:00 น."
    assert format_be_long(morning, with_time=True) == "12 เมษายน 2561 เวลา 09:00 น."


def test_aware_utc_datetime_is_shown_in_bangkok_time():
    utc = datetime(2018, 4, 11, 20, 0, tzinfo=UTC)
    assert format_be_short(utc, with_time=True) == "12 เม.ย. 2561 03:00 น."
    assert format_be_short(utc) == "12 เม.ย. 2561"
    other_zone = datetime(2018, 4, 11, 22, 0, tzinfo=timezone(timedelta(hours=2)))
    assert format_be_short(other_zone, with_time=True) == "12 เม.ย. 2561 03:00 น."


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="naive"):
        format_be_short(datetime(2018, 4, 12, 9, 0))  # noqa: DTZ001
    with pytest.raises(ValueError, match="naive"):
        fiscal_year(datetime(2018, 4, 12, 9, 0))  # noqa: DTZ001
    with pytest.raises(ValueError, match="naive"):
        be_year(datetime(2018, 4, 12, 9, 0))  # noqa: DTZ001


def test_with_time_needs_a_datetime():
    with pytest.raises(ValueError, match="ไม่มีเวลา"):
        format_be_short(DECISION_DAY, with_time=True)


def test_not_a_date_is_refused():
    with pytest.raises(TypeError):
        format_be_short("2018-02-27")


def test_thai_digits():
    assert to_thai_digits("27/02/2561 09:00") == "๒๗/๐๒/๒๕๖๑ ๐๙:๐๐"
    assert format_be_short(DECISION_DAY, thai_digits=True) == "๒๗ ก.พ. ๒๕๖๑"
    morning = datetime(2018, 4, 12, 9, 0, tzinfo=BANGKOK)
    assert format_be_long(morning, thai_digits=True, with_time=True) == "๑๒ เมษายน ๒๕๖๑ เวลา ๐๙:๐๐ น."


# --- Fiscal year --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "fy"),
    [
        (date(2017, 10, 1), 2561),  # 1 Oct 2560 opens FY 2561
        (date(2017, 9, 30), 2560),
        (date(2018, 9, 30), 2561),  # 30 Sep 2561 closes FY 2561
        (date(2018, 10, 1), 2562),
        (date(2018, 4, 12), 2561),  # Songkran 2561
        (date(2018, 2, 27), 2561),
        (date(2018, 12, 31), 2562),
    ],
)
def test_fiscal_year(day, fy):
    assert fiscal_year(day) == fy


def test_fiscal_year_of_an_aware_datetime_is_taken_in_bangkok():
    # 30 Sep 2018 20:00 UTC is 1 Oct 2018 03:00 in Bangkok: already FY 2562.
    assert fiscal_year(datetime(2018, 9, 30, 20, 0, tzinfo=UTC)) == 2562
    assert fiscal_year(datetime(2018, 9, 30, 16, 59, tzinfo=UTC)) == 2561


def test_fiscal_year_bounds():
    assert fiscal_year_bounds(2561) == (date(2017, 10, 1), date(2018, 9, 30))


def test_fiscal_year_months():
    months = fiscal_year_months(2561)
    assert len(months) == 12
    assert months[0] == date(2017, 10, 1)
    assert months[2] == date(2017, 12, 1)
    assert months[3] == date(2018, 1, 1)
    assert months[-1] == date(2018, 9, 1)
    assert all(fiscal_year(month) == 2561 for month in months)


def test_fiscal_year_limits_are_accepted():
    assert fiscal_year_bounds(2500)[0] == date(1956, 10, 1)
    assert fiscal_year_bounds(2700)[1] == date(2157, 9, 30)


@pytest.mark.parametrize("fy", [2499, 2701, 2018, 61, 0, -2561])
def test_fiscal_year_out_of_range_is_refused(fy):
    with pytest.raises(ValueError, match="ปีงบประมาณไม่ถูกต้อง"):
        fiscal_year_bounds(fy)
    with pytest.raises(ValueError, match="ปีงบประมาณไม่ถูกต้อง"):
        fiscal_year_months(fy)


def test_fiscal_year_given_as_ce_says_so():
    with pytest.raises(ValueError, match="ปีงบประมาณไม่ถูกต้อง") as error:
        fiscal_year_bounds(2018)
    assert "ปี ค.ศ." in str(error.value)
    assert "2561" in str(error.value)


@pytest.mark.parametrize("fy", ["2561", 2561.0, True])
def test_fiscal_year_must_be_an_int(fy):
    with pytest.raises(TypeError):
        fiscal_year_bounds(fy)


# --- Parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "27/02/2561",
        "27/2/2561",
        "27/2/2018",
        "27/02/2018",
        "27-02-2561",
        "27.02.2561",
        "2561-02-27",
        "2018-02-27",
        "27 ก.พ. 2561",
        "27 ก.พ. 2018",
        "27 กุมภาพันธ์ 2561",
        "27 กุมภาพันธ์ พ.ศ. 2561",
        "27 ก.พ.2561",
        "  27/02/2561  ",
        "๒๗/๐๒/๒๕๖๑",
        "๒๗ กุมภาพันธ์ ๒๕๖๑",
    ],
)
def test_parse_accepted_forms(text):
    assert parse_thai_date(text) == DECISION_DAY


def test_be_and_ce_of_the_same_day_give_the_same_date():
    assert parse_thai_date("01/10/2560") == parse_thai_date("01/10/2017") == date(2017, 10, 1)
    assert parse_thai_date("2560-10-01") == parse_thai_date("2017-10-01")
    assert parse_thai_date("12 เม.ย. 2561") == parse_thai_date("12 เม.ย. 2018") == date(2018, 4, 12)


def test_every_month_name_parses():
    for month in range(1, 13):
        assert parse_thai_date(f"1 {MONTHS_SHORT[month - 1]} 2561") == date(2018, month, 1)
        assert parse_thai_date(f"1 {MONTHS_LONG[month - 1]} 2561") == date(2018, month, 1)


def test_year_rule_boundaries():
    assert parse_thai_date("01/01/2400") == date(1857, 1, 1)  # 2400 is BE
    assert parse_thai_date("01/01/2399") == date(2399, 1, 1)  # 2399 is CE
    assert parse_thai_date("01/01/1900") == date(1900, 1, 1)


def test_leap_day():
    assert parse_thai_date("29/02/2563") == date(2020, 2, 29)
    with pytest.raises(ValueError, match="ไม่มีวันที่ 29"):
        parse_thai_date("29/02/2561")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/02/2561", "ไม่มีวันที่ 31"),
        ("27/02/61", "4 หลัก"),
        ("27/02/18", "4 หลัก"),
        ("abc", "อ่านไม่ออก"),
        ("", "ไม่ได้กรอก"),
        ("27/13/2561", "เดือน 13"),
        ("00/02/2561", "ไม่มีวันที่ 0"),
        ("27/02/1899", "นอกช่วง"),
        ("27/02/0061", "นอกช่วง"),
        ("27/02/25611", "4 หลัก"),
        ("27 xyz 2561", "ไม่รู้จักชื่อเดือน"),
        ("27 ก.พ. พ.ศ. 2018", "พ.ศ. 2018"),
        ("02/27/2018", "เดือน 27"),
    ],
)
def test_parse_bad_input_says_what_is_wrong_and_how_to_fix_it(text, reason):
    with pytest.raises(ValueError, match="วันที่ไม่ถูกต้อง") as error:
        parse_thai_date(text)
    message = str(error.value)
    assert reason in message
    assert "วว/ดด/ปปปป" in message
    assert "27/02/2561" in message


def test_parse_refuses_non_text():
    with pytest.raises(TypeError):
        parse_thai_date(DECISION_DAY)
