"""The Django admin for Thai users (issue 15, point 16): Thai and BE dates whatever the browser's Accept-Language
(Chromium sends en-US), English only for a person who chose it with the portal's switch (portal/admin_site.py)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from foundation.thaidate import format_be_short
from tests.factories.meetings import MeetingFactory, at
from tests.meetings.conftest import fake_server  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL

CHROMIUM = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


@pytest.fixture
def operator(client):
    user = get_user_model().objects.create_superuser("operator-th", "op@example.go.th", "pw-for-tests-only")
    client.force_login(user)
    return client


@pytest.fixture
def meeting(fake_server):  # noqa: F811
    return MeetingFactory.create(title="ประชุมทดสอบผู้ดูแลระบบ", start=at(2026, 12, 10, 10), end=at(2026, 12, 10, 12))


def rows_text(html: str) -> str:
    table = re.search(r'<table id="result_list".*?</table>', html, re.DOTALL).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", table).split())


def test_the_admin_is_thai_with_be_dates_for_a_browser_asking_english(operator, meeting):
    response = operator.get("/admin/meetings/meeting/", **CHROMIUM)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="th"' in html
    assert response["Content-Language"] == "th"
    assert "เลือก การประชุม เพื่อเปลี่ยนแปลง" in html
    assert "Select Meetings to change" not in html
    rows = rows_text(html)
    assert format_be_short(meeting.start, with_time=True) in rows  # 10 ธ.ค. 2569 10:00 น.
    assert "2569" in rows
    assert "2026" not in rows
    # The BE column still sorts by its field.
    assert 'href="?o=' in html


def test_the_date_drill_down_reads_be_years(operator, meeting):
    html = operator.get("/admin/notifications/notification/", **CHROMIUM).content.decode()
    nav = re.search(r'<nav class="toplinks">.*?</nav>', html, re.DOTALL).group(0)
    text = " ".join(re.sub(r"<[^>]+>", " ", nav).split())
    assert re.search(r"\b25[6-7]\d\b", text), text  # the year it was made, in BE
    assert not re.search(r"\b20[2-3]\d\b", text), text


def test_the_admin_login_page_is_thai(client):
    html = client.get("/admin/login/", **CHROMIUM).content.decode()
    assert '<html lang="th"' in html


def test_english_only_for_a_person_who_chose_it(operator, meeting):
    operator.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = operator.get("/admin/meetings/meeting/", HTTP_ACCEPT_LANGUAGE="th")
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "Select Meetings to change" in html


def test_the_admin_login_says_what_to_type(client):
    html = client.post("/admin/login/", {"username": "", "password": ""}, **CHROMIUM).content.decode()
    assert "พิมพ์ชื่อผู้ใช้ที่ผู้ดูแลระบบของจังหวัดให้ไว้" in html
    assert "พิมพ์รหัสผ่านของท่าน" in html
    assert "ฟิลด์นี้จำเป็น" not in html
