"""What a new clerk met on the first morning (issue 15, point 6): the test call says the button's own words, its
controls stay clear of the question, its result page leads somewhere; the join button before the room opens looks
disabled; the printed sheet on a phone keeps its QR code and digits on the screen; a site with no phone number says
where to add one.

The phone checks render the real pages with their real CSS inlined in headless Chromium (Debian's, driven by
Playwright as tests/e2e does), at 390 px wide."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from districts.models import Staff
from join import services
from join.links import join_path, pass_test_path

from .conftest import HALL, MUEANG, pass_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"


def test_the_test_call_prompts_with_the_buttons_own_words_and_keeps_its_controls_off_the_question(
    client, fake_server, schedule
):
    script = (ROOT / "static" / "join" / "call.js").read_text()
    assert "กดปุ่ม “เข้าร่วม”" not in script  # the button says "เริ่มทดสอบ" on a test call
    assert '$("join-button").textContent' in script
    meeting = schedule(sites=(MUEANG,))
    started = client.post(pass_test_path(pass_of(meeting, MUEANG).token))
    page = client.get(started["Location"]).content.decode()
    assert "เริ่มทดสอบ" in page
    assert 'class="controls in-test"' in page
    assert ".controls.in-test { position: static; }" in (ROOT / "static" / "join" / "join.css").read_text()


def test_the_test_calls_result_leads_back_to_the_meeting_a_new_test_and_the_sites_page(
    client, login, fake_server, schedule
):
    meeting = schedule(sites=(MUEANG,))
    token = pass_of(meeting, MUEANG).token
    test_call = services.site_test_call_start(site=pass_of(meeting, MUEANG).site, join_pass=pass_of(meeting, MUEANG))
    result = reverse("join:test-call-result", kwargs={"token": test_call.token})
    done = client.post(result, {"answer": "ok"}).content.decode()  # the room's notebook, no login
    assert f'href="{join_path(token)}"' in done
    assert f'action="{pass_test_path(token)}"' in done
    assert reverse("site:page", kwargs={"code": MUEANG}) not in done  # not signed in: no site page

    clerk = login(Staff.Role.CLERK, MUEANG)
    again = services.site_test_call_start(site=pass_of(meeting, MUEANG).site)
    done = clerk.post(reverse("join:test-call-result", kwargs={"token": again.token}), {"answer": "no_video"})
    body = done.content.decode()
    assert f'href="{reverse("site:page", kwargs={"code": MUEANG})}"' in body
    assert reverse("join:site-test-call", kwargs={"code": MUEANG}) in body


def test_a_site_without_a_phone_number_says_where_to_add_one(login, fake_server, schedule):
    schedule(sites=(MUEANG,), starts_in=20)
    board = login(Staff.Role.SCHEDULER, HALL).get(reverse("join:control-board")).content.decode()
    assert "ยังไม่มีเบอร์" in board
    admin_board = login(Staff.Role.ADMINISTRATOR, HALL).get(reverse("join:control-board")).content.decode()
    assert "/admin/districts/site/" in admin_board  # an administrator goes straight to the site's page


def _inline(html: str, *names: str) -> str:
    for name in names:
        css = (ROOT / "static" / name).read_text()
        link = rf'<link rel="stylesheet" href="[^"]*{re.escape(name)}[^"]*">'
        html = re.sub(link, lambda _m, c=css: f"<style>{c}</style>", html)
    return html


@pytest.mark.e2e
def test_on_a_phone_the_sheet_keeps_its_qr_code_and_the_join_button_looks_disabled(login, fake_server, schedule):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    meeting = schedule(sites=(MUEANG,), starts_in=180)  # its room does not open for hours
    clerk = login(Staff.Role.CLERK, MUEANG)
    sheet = _inline(clerk.get(reverse("join:sheet", kwargs={"code": MUEANG, "pk": meeting.pk})).content.decode(),
                    "join/sheet.css")
    site_page = _inline(clerk.get(reverse("site:page", kwargs={"code": MUEANG})).content.decode(), "portal.css")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless=new"])
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.set_content(sheet)
            box = page.locator(".qr svg").bounding_box()
            digits = page.locator(".short-code").bounding_box()
            for shown in (box, digits):  # the QR code and the 12 digits wholly on the screen
                assert shown["x"] >= 0, shown
                assert shown["x"] + shown["width"] <= 390, shown
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            # The meeting's facts keep a readable width (side by side with the QR code they were squeezed to a
            # sliver); the QR code comes under them.
            facts = page.locator(".facts").bounding_box()
            assert facts["width"] >= 250, facts
            assert box["y"] >= facts["y"] + facts["height"] - 1
            page.set_content(site_page)
            button = page.locator(".button.join.disabled").first
            style = button.evaluate("e => [getComputedStyle(e).cursor, getComputedStyle(e).borderTopStyle]")
            assert style == ["not-allowed", "dashed"]
        finally:
            browser.close()
