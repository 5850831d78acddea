"""Buddhist-era dates and the Thai government fiscal year, as pure functions.

- BE year = CE year + 543 (2018 -> 2561).
- Short form ``27 ก.พ. 2561``; official (long) form ``27 กุมภาพันธ์ 2561``; Thai digits ๐-๙ optional.
- Fiscal year 1 October - 30 September, named by the BE year in which it ends: 1 Oct 2560 - 30 Sep 2561
  is FY 2561.
- Everything happens in Asia/Bangkok: aware datetimes are converted there before their date is taken;
  naive datetimes are refused, because their moment is unknown.
- Parsing is unambiguous: a 4-digit year >= 2400 is BE, one between 1900 and 2399 is CE, anything else is
  refused with a Thai message that says what is wrong and which forms are accepted.
"""

import calendar
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543

MONTHS_SHORT: tuple[str, ...] = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
MONTHS_LONG: tuple[str, ...] = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip

FISCAL_YEAR_MIN = 2500
FISCAL_YEAR_MAX = 2700
BE_YEAR_MIN = 2400  # a parsed year at or above this is BE
CE_YEAR_MIN = 1900  # a parsed year from this up to BE_YEAR_MIN - 1 is CE

_TO_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_FROM_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

ACCEPTED_FORMS = "ใช้รูปแบบ วว/ดด/ปปปป เช่น 27/02/2561 (ปี พ.ศ. หรือ ค.ศ. 4 หลัก), 2561-02-27 หรือ 27 ก.พ. 2561"


def to_thai_digits(text: str) -> str:
    """Replace the Arabic digits 0-9 in ``text`` with Thai digits ๐-๙; everything else is kept."""
    return str(text).translate(_TO_THAI_DIGITS)


def _bangkok(value: date | datetime) -> date | datetime:
    """Return a ``date`` as is, or an aware ``datetime`` converted to Asia/Bangkok; refuse the rest."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"วันเวลาไม่มีเขตเวลา (naive datetime): {value.isoformat()} "
                "ต้องเป็น datetime ที่ระบุเขตเวลา เช่น Asia/Bangkok หรือ UTC"
            )
        return value.astimezone(BANGKOK)
    if isinstance(value, date):
        return value
    raise TypeError(f"ต้องเป็น date หรือ datetime ไม่ใช่ {type(value).__name__}: {value!r}")


def _bangkok_date(value: date | datetime) -> date:
    """The calendar date of ``value`` in Bangkok."""
    local = _bangkok(value)
    return local.date() if isinstance(local, datetime) else local


def be_year(d: date | datetime) -> int:
    """The Buddhist-era year of ``d`` (CE year + 543), taken in Bangkok for an aware datetime."""
    return _bangkok_date(d).year + BE_OFFSET


def _format(
    value: date | datetime, months: tuple[str, ...], time_joiner: str, *, thai_digits: bool, with_time: bool
) -> str:
    local = _bangkok(value)
    text = f"{local.day} {months[local.month - 1]} {local.year + BE_OFFSET}"
    if with_time:
        if not isinstance(local, datetime):
            raise ValueError(f"ไม่มีเวลาให้แสดง: {value.isoformat()} เป็น date ไม่ใช่ datetime")
        text += f"{time_joiner}{local:%H:%M} น."
    return to_thai_digits(text) if thai_digits else text


def format_be_short(value: date | datetime, *, thai_digits: bool = False, with_time: bool = False) -> str:
    """Short Thai form: ``27 ก.พ. 2561``; with ``with_time``: ``27 ก.พ. 2561 09:00 น.``.

    ``value`` is a ``date`` or an aware ``datetime`` (shown in Bangkok time). ``with_time`` needs a
    datetime; a naive datetime raises ``ValueError``.
    """
    return _format(value, MONTHS_SHORT, " ", thai_digits=thai_digits, with_time=with_time)


def format_be_long(value: date | datetime, *, thai_digits: bool = False, with_time: bool = False) -> str:
    """Official Thai form: ``27 กุมภาพันธ์ 2561``; with ``with_time``: ``27 กุมภาพันธ์ 2561 เวลา 09:00 น.``.

    Same inputs and errors as :func:`format_be_short`.
    """
    return _format(value, MONTHS_LONG, " เวลา ", thai_digits=thai_digits, with_time=with_time)


def fiscal_year(d: date | datetime) -> int:
    """The Thai government fiscal year (BE) that ``d`` falls in: CE year + 543, plus 1 from October on.

    An aware datetime is taken in Bangkok, so 30 Sep 2018 20:00 UTC (1 Oct 03:00 in Bangkok) is FY 2562.
    """
    local = _bangkok_date(d)
    return local.year + BE_OFFSET + (1 if local.month >= 10 else 0)


def _check_fiscal_year(fy_be: int) -> None:
    if isinstance(fy_be, bool) or not isinstance(fy_be, int):
        raise TypeError(f"ปีงบประมาณต้องเป็นจำนวนเต็ม (พ.ศ.) เช่น 2561 ไม่ใช่ {fy_be!r}")
    if not FISCAL_YEAR_MIN <= fy_be <= FISCAL_YEAR_MAX:
        hint = ""
        if CE_YEAR_MIN <= fy_be < BE_YEAR_MIN:
            hint = f" ดูเหมือนเป็นปี ค.ศ.: ปีงบประมาณ พ.ศ. คือ {fy_be + BE_OFFSET} หรือ {fy_be + BE_OFFSET + 1}"
        raise ValueError(
            f"ปีงบประมาณไม่ถูกต้อง: {fy_be} ต้องเป็นปี พ.ศ. ระหว่าง {FISCAL_YEAR_MIN} ถึง {FISCAL_YEAR_MAX} เช่น 2561{hint}"
        )


def fiscal_year_bounds(fy_be: int) -> tuple[date, date]:
    """First and last day of fiscal year ``fy_be`` (BE): 1 October of the previous CE year .. 30 September.

    ``fiscal_year_bounds(2561)`` -> ``(date(2017, 10, 1), date(2018, 9, 30))``. A year outside
    2500..2700 (for example a CE year passed by mistake) raises ``ValueError``.
    """
    _check_fiscal_year(fy_be)
    end_ce = fy_be - BE_OFFSET
    return date(end_ce - 1, 10, 1), date(end_ce, 9, 30)


def fiscal_year_months(fy_be: int) -> list[date]:
    """The twelve first-of-month dates of fiscal year ``fy_be`` (BE), October to September."""
    start, _end = fiscal_year_bounds(fy_be)
    months = []
    for offset in range(12):
        month_index = start.month - 1 + offset
        months.append(date(start.year + month_index // 12, month_index % 12 + 1, 1))
    return months


def _normalise_month_name(name: str) -> str:
    return re.sub(r"[\s.]", "", name)


_MONTH_BY_NAME: dict[str, int] = {
    _normalise_month_name(name): number
    for names in (MONTHS_SHORT, MONTHS_LONG)
    for number, name in enumerate(names, start=1)
}

_DMY_NUMERIC = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d+)")
_YMD_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY_TEXT = re.compile(r"(\d{1,2})\s*(\D+?)\s*(\d+)")
_ERA = re.compile(r"\s*(พ\.?\s*ศ|ค\.?\s*ศ)\.?\s*$")


def _invalid(text: str, reason: str) -> ValueError:
    return ValueError(f"วันที่ไม่ถูกต้อง: “{text}” {reason} {ACCEPTED_FORMS}")


def _ce_year(year_text: str, text: str, era: str | None) -> int:
    """The CE year for a written year: >= 2400 is BE, 1900..2399 is CE, anything else is refused."""
    if len(year_text) != 4:
        raise _invalid(text, f"ปี “{year_text}” ต้องเขียนเต็ม 4 หลัก (เช่น 2561 หรือ 2018)")
    year = int(year_text)
    if year >= BE_YEAR_MIN:
        if era == "ce":
            raise _invalid(text, f"ปี ค.ศ. {year} ไม่สมเหตุผล (ปีตั้งแต่ {BE_YEAR_MIN} เป็นปี พ.ศ.)")
        return year - BE_OFFSET
    if year >= CE_YEAR_MIN:
        if era == "be":
            raise _invalid(text, f"ปี พ.ศ. {year} ไม่สมเหตุผล (ปี {CE_YEAR_MIN}-{BE_YEAR_MIN - 1} เป็นปี ค.ศ.)")
        return year
    raise _invalid(text, f"ปี {year} อยู่นอกช่วงที่รับได้ (พ.ศ. ตั้งแต่ {BE_YEAR_MIN} หรือ ค.ศ. {CE_YEAR_MIN}-2399)")


def _build_date(text: str, year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise _invalid(text, f"เดือน {month} ต้องอยู่ระหว่าง 1 ถึง 12")
    last_day = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last_day:
        raise _invalid(
            text,
            f"เดือน{MONTHS_LONG[month - 1]} {year + BE_OFFSET} มี {last_day} วัน ไม่มีวันที่ {day}",
        )
    return date(year, month, day)


def parse_thai_date(text: str) -> date:
    """Read a date typed by a Thai user, with a BE or CE year, Arabic or Thai digits.

    Accepted: ``27/02/2561``, ``27/2/2018``, ``27-02-2561``, ``2561-02-27``, ``2018-02-27``,
    ``27 ก.พ. 2561``, ``27 กุมภาพันธ์ 2561`` (optionally ``พ.ศ.`` before the year), ``๒๗/๐๒/๒๕๖๑``.
    A 4-digit year >= 2400 is BE, one from 1900 to 2399 is CE; any other year (such as ``61``) is
    refused. Raises ``ValueError`` with a Thai message saying what is wrong and the accepted forms.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_thai_date() ต้องการข้อความ (str) ไม่ใช่ {type(text).__name__}")
    original = text.strip()
    if not original:
        raise _invalid(original, "ไม่ได้กรอกวันที่")
    cleaned = re.sub(r"\s+", " ", original.translate(_FROM_THAI_DIGITS))

    if match := _YMD_ISO.fullmatch(cleaned):
        year_text, month_text, day_text = match.groups()
        return _build_date(original, _ce_year(year_text, original, None), int(month_text), int(day_text))

    if match := _DMY_NUMERIC.fullmatch(cleaned):
        day_text, month_text, year_text = match.groups()
        return _build_date(original, _ce_year(year_text, original, None), int(month_text), int(day_text))

    if match := _DMY_TEXT.fullmatch(cleaned):
        day_text, month_name, year_text = match.groups()
        era = None
        if era_match := _ERA.search(month_name):
            era = "be" if era_match.group(1).startswith("พ") else "ce"
            month_name = month_name[: era_match.start()]
        month = _MONTH_BY_NAME.get(_normalise_month_name(month_name))
        if month is None:
            raise _invalid(original, f"ไม่รู้จักชื่อเดือน “{month_name.strip()}” (ใช้ ม.ค.-ธ.ค. หรือชื่อเต็ม)")
        return _build_date(original, _ce_year(year_text, original, era), month, int(day_text))

    raise _invalid(original, "อ่านไม่ออก")
