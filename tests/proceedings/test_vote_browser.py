"""A vote in real browsers (Debian's Chromium, headless, through Playwright) against a live portal: the chair opens
a vote on the meeting page, two sites vote from their join pages, the chair closes it, and the result is on both
join pages. The meeting's room is on the fake media server: the join page's call cannot connect, and the vote
panel works regardless."""

from __future__ import annotations

import concurrent.futures
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from proceedings import selectors, services

from .conftest import KUMPHAWAPI, MUEANG, pass_of

pytestmark = [pytest.mark.e2e]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
]
WAIT_MS = 15_000


def in_thread(function, *args):
    """ORM code away from Playwright's event loop (Django refuses sync ORM calls beside a running loop)."""

    def run():
        try:
            return function(*args)
        finally:
            connection.close()  # this thread's own connection: the test database is dropped at the end

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result(timeout=30)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="/usr/bin/chromium is missing (apt-get install chromium)")
def test_chair_opens_two_sites_vote_chair_closes_result_on_both_join_pages(live_server, schedule):
    from playwright.sync_api import expect, sync_playwright

    meeting = schedule(sites=(MUEANG, KUMPHAWAPI))
    sites = {code: pass_of(meeting, code) for code in (MUEANG, KUMPHAWAPI)}
    for code, join_pass in sites.items():
        services.roll_entry_record(join_pass=join_pass, name=f"นายอำเภอ {code}", role="attendee")
    chair = Client()
    chair.force_login(schedule.scheduler)
    session = chair.cookies[settings.SESSION_COOKIE_NAME].value

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            chair_context = browser.new_context(locale="th-TH")
            chair_context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session,
                                        "url": live_server.url}])
            chair_page = chair_context.new_page()
            chair_page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
            chair_page.select_option("#vote-agenda", "4")
            chair_page.fill("#vote-question", "อนุมัติโครงการถนนปลอดภัย")
            chair_page.click("#vote-open button[type=submit]")
            expect(chair_page.locator("#proceedings-live [data-status=open]")).to_be_visible(timeout=WAIT_MS)

            site_pages = {}
            for code, choice in ((MUEANG, "approve"), (KUMPHAWAPI, "reject")):
                page = browser.new_context(locale="th-TH").new_page()
                page.goto(f"{live_server.url}/j/{sites[code].token}/")
                page.locator(f"#proceedings-panel button[value={choice}]").click(timeout=WAIT_MS)
                expect(page.locator("#proceedings-panel")).to_contain_text("บันทึกการลงมติแล้ว", timeout=WAIT_MS)
                site_pages[code] = page

            expect(chair_page.locator("#proceedings-live [data-cast]")).to_have_text("2", timeout=WAIT_MS)
            chair_page.click("#proceedings-live .vote-close button")
            expect(chair_page.locator("#proceedings-live [data-status=closed] [data-result]")).to_contain_text(
                re.compile(r"เห็นชอบ\s*1\s*·\s*ไม่เห็นชอบ\s*1"), timeout=WAIT_MS)

            for page in site_pages.values():
                result = page.locator("#proceedings-panel [data-status=closed] [data-result]")
                expect(result).to_contain_text(re.compile(r"เห็นชอบ\s*1\s*·\s*ไม่เห็นชอบ\s*1\s*·\s*งดออกเสียง\s*0"),
                                               timeout=WAIT_MS)
        finally:
            browser.close()

    [result] = in_thread(lambda: selectors.meeting_votes(meeting=meeting))
    assert result.status == "closed"
    assert result.question == "อนุมัติโครงการถนนปลอดภัย"
    assert result.counts == {"เห็นชอบ": 1, "ไม่เห็นชอบ": 1, "งดออกเสียง": 0}
