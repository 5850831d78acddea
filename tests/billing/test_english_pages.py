"""The finance pages in English: headings, labels and table headers come from the catalogue, Thai stays the default."""

import datetime

import pytest

from districts.models import Staff
from tests.factories.billing import charge_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL
Role = Staff.Role
JANUARY_2562 = datetime.date(2019, 1, 1)


def in_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def page(client, url: str, lang: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    return html


def pay_url() -> str:
    return f"/billing/charges/{charge_of('4122', JANUARY_2562).pk}/pay/"


# Thai strings are matched with the markup around them: the pages also show Thai that is not the templates' (place
# and month names, the amount in words, the savings rule and form labels written in Python).
PAGES = {
    "charges": (
        lambda: "/billing/?fy=2562&month=1",
        [
            ">Communication circuit expenses ",
            ">Fiscal year<",
            ">Download reports<",
            ">Record payment<",
            ">Payment date<",
        ],
        [">ค่าใช้จ่ายวงจรสื่อสาร ", ">ปีงบประมาณ<", ">ดาวน์โหลดรายงาน<", ">บันทึกการชำระ<", ">วันที่ชำระ<"],
    ),
    "pay": (
        pay_url,
        [">Record a fee payment<", ">Record payment<", " baht</strong>", "its amounts can no longer be changed"],
        [">บันทึกการชำระค่าบริการ<", ">บันทึกการชำระ<", " บาท</strong>", "แก้ยอดไม่ได้"],
    ),
    "close": (
        lambda: "/billing/months/2562-01/close/",
        [">Closing the month means<", ">Confirm closing<", "closing cannot be undone", "20 charges"],
        [">การปิดงวดหมายความว่า<", ">ยืนยันปิดงวด<", "ยกเลิกการปิดงวดไม่ได้", "20 รายการ"],
    ),
    "savings": (
        lambda: "/billing/savings/?fy=2562",
        [">Travel savings · Fiscal year 2562<", ">Per diem<", ">Net savings<", ">Circuit cost<"],
        [">ค่าเดินทางที่ประหยัดได้ · ปีงบประมาณ 2562<", ">เบี้ยเลี้ยง<", ">ประหยัดสุทธิ<", ">ค่าวงจรสื่อสาร<"],
    ),
}


@pytest.mark.usefixtures("fy2562")
@pytest.mark.parametrize("name", PAGES)
def test_finance_page_in_english(login, name):
    url, english, thai = PAGES[name]
    html = page(in_english(login(Role.FINANCE, "41")), url(), "en")
    for text in english:
        assert text in html, f"missing English text {text!r}"
    for text in thai:
        assert text not in html, f"Thai source text {text!r} is still on the English page"


@pytest.mark.usefixtures("fy2562")
@pytest.mark.parametrize("name", PAGES)
def test_finance_page_stays_thai_by_default(login, name):
    url, english, thai = PAGES[name]
    html = page(login(Role.FINANCE, "41"), url(), "th")
    for text in thai:
        assert text in html, f"missing Thai text {text!r}"
    for text in english:
        assert text not in html, f"English text {text!r} on the Thai page"
