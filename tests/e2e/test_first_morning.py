"""The first morning, end to end (issue 15, "What it must show"): the portal started by `make run`'s own script
(deploy/run-embedded.sh) on a port that is not the default one, Debian's Chromium in Thai, and

- every join link the pages, the sheet, the .ics and the emails show points at that port;
- a clerk on a phone reads the 12 digits off the join sheet and types them by hand, with the sheet's spaces, into
  the /k/ page, and lands on the join page;
- an invited agency opens the link of its invitation email (written by the running portal to var/mail/) and
  reaches its own join page, where it does not moderate;
- the clerk opens the meeting's document from the site's page (the PDF is served);
- a new link ("ออกลิงก์ใหม่") is asked for on the confirmation page: the old link stops working, the new one works.

The scheduler schedules the meeting and attaches the document through the running portal's API (signed in as the
demo scheduler); only the agency row is written beside it (no page makes agencies). Media need not flow here (the
two-sites test does that): the meeting's room is on whatever media server the run started (its Janus, or the fake
one when Janus is missing).
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import os
import re
import secrets
import signal
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.services.ports import free_port

pytestmark = [pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 760}}
BANGKOK = ZoneInfo("Asia/Bangkok")
CLERK_SITE = "4122"  # the demo clerk's district office
URL = re.compile(r"https?://[^\s\"'<>()]+")
JOIN_LIKE = re.compile(r"/(j|k)/|/meetings/join/")
MAIL_SEPARATOR = re.compile(rb"^-{79}$", re.MULTILINE)

MAKE_AGENCY = """
import json
from districts.models import Agency, Province, Site
agency = Agency.objects.create(province=Province.objects.get(code="41"), name=NAME, email=EMAIL)
sites = {s.code: s.pk for s in Site.objects.filter(province__code="41").select_related("district", "province")}
print(json.dumps({"agency": agency.pk, "hall": sites["41"], "clerk_site": sites[CODE]}))
"""


def join_links(text: str) -> list[str]:
    return [url for url in URL.findall(text) if JOIN_LIKE.search(url)]


def assert_on_port(text: str, base: str, *, where: str) -> None:
    """Every join-like link in `text` is on the portal's own address (its port), and there is at least one."""
    found = join_links(text)
    assert found, f"{where}: no join link shown"
    stray = [url for url in found if not url.startswith(base + "/")]
    assert not stray, f"{where}: links not on {base}: {stray}"


def wait_until_served(process, base: str, log_path: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(f"{base}/login/", timeout=2).status_code == 200:
                return
        assert process.poll() is None, log_path.read_text()
        time.sleep(0.3)
    raise AssertionError(f"the portal did not answer on {base}:\n{log_path.read_text()}")


def signed_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login/", timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    answer = session.post(f"{base}/login/", data={"csrfmiddlewaretoken": token, "username": username,
                                                   "password": "demo"}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, username
    session.headers.update({"X-CSRFToken": session.cookies["csrftoken"], "Referer": f"{base}/"})
    return session


def invitation_to(address: str, since: float) -> email.message.EmailMessage:
    """The invitation the running portal wrote to var/mail/ (Django's file backend) for `address`."""
    for path in sorted((ROOT / "var" / "mail").glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
        if path.stat().st_mtime < since - 1:
            continue
        for raw in MAIL_SEPARATOR.split(path.read_bytes()):
            if address.encode() not in raw:
                continue
            message = email.message_from_bytes(raw.strip(b"\n") + b"\n", policy=email.policy.default)
            if message["To"] == address and message["Subject"].strip().startswith("[เชิญประชุม]"):
                return message
    raise AssertionError(f"no invitation to {address} in var/mail/")


def part_text(message, content_type: str) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == content_type)
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


def test_the_first_morning_on_a_portal_started_as_make_run_does_on_another_port(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    port = free_port()
    assert port != 8000
    base = f"http://127.0.0.1:{port}"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "PRACHUM_PORT": str(port),
        "PRACHUM_RUNSERVER_ARGS": "--noreload",
        "PRACHUM_JANUS_HTTP_PORT": str(free_port()),
        "PRACHUM_JANUS_ADMIN_PORT": str(free_port()),
    }
    log_path = tmp_path / "run.log"
    started = time.time()
    with log_path.open("w") as log:
        process = subprocess.Popen(["bash", "deploy/run-embedded.sh"], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until_served(process, base, log_path)
            _first_morning(sync_playwright, base, env, started)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
            _group_ended(process.pid)


def _first_morning(sync_playwright, base: str, env: dict, started: float) -> None:
    # --- the scheduler's side: an agency, a meeting in a few minutes with the clerk's site and the agency, a PDF
    agency_name = f"สำนักงานป้องกันและบรรเทาสาธารณภัยจังหวัดอุดรธานี {secrets.token_hex(2)}"
    agency_email = f"pbb-{secrets.token_hex(4)}@example.go.th"
    shell = subprocess.run(
        [".venv/bin/python", "manage.py", "shell", "-c",
         f"NAME={agency_name!r}; EMAIL={agency_email!r}; CODE={CLERK_SITE!r}\n{MAKE_AGENCY}"],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings.embedded"}, capture_output=True,
        text=True, check=True, timeout=60,
    )
    ids = json.loads(shell.stdout.strip().splitlines()[-1])
    scheduler = signed_in(base, "scheduler")
    start = (datetime.now(BANGKOK) + timedelta(minutes=6)).replace(second=0, microsecond=0)
    title = f"ประชุมเช้าวันแรก {secrets.token_hex(2)}"
    answer = scheduler.post(f"{base}/api/meetings/", json={
        "title": title, "host_site": ids["hall"], "sites": [ids["clerk_site"]], "agencies": [ids["agency"]],
        "start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat(),
    }, timeout=30)
    assert answer.status_code == 201, answer.text
    meeting_id = answer.json()["id"]
    document = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    answer = scheduler.post(f"{base}/api/meetings/{meeting_id}/documents/",
                            files={"file": ("วาระการประชุม.pdf", document, "application/pdf")}, timeout=30)
    assert answer.status_code == 201, answer.text
    scheduler.close()

    # --- the agency's invitation, as the running portal wrote it: its own join link, on the portal's port
    invitation = invitation_to(agency_email, started)
    text = part_text(invitation, "text/plain")
    assert_on_port(text, base, where="the agency's email")
    assert_on_port(part_text(invitation, "text/calendar").replace("\r\n ", ""), base, where="the agency's .ics")
    [agency_link] = {url for url in join_links(text) if "/j/" in url}
    assert f"/meetings/{meeting_id}/" not in text

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            # --- the agency, on its office's desktop, from the email's link: its join page, not a moderator
            agency = browser.new_context(locale="th-TH", **DESKTOP)
            page = agency.new_page()
            response = page.goto(agency_link)
            assert response.status == 200, page.content()
            assert page.locator("html").get_attribute("lang") == "th"
            assert page.locator(".call-head h1").inner_text().strip() == title
            assert agency_name in page.content()
            config = json.loads(page.locator("#call-config").text_content())
            assert config["moderator"] is False
            assert page.locator("#join-button").count() == 1
            agency.close()

            # --- the clerk, on a phone, signed in: the site's page in Thai, every join link on the port
            clerk = browser.new_context(locale="th-TH", **PHONE)
            page = clerk.new_page()
            page.goto(f"{base}/login/")
            page.fill("#id_username", "clerk4122")
            page.fill("#id_password", "demo")
            page.locator("form button[type=submit], form input[type=submit]").first.click()
            page.wait_for_load_state()
            page.goto(f"{base}/sites/{CLERK_SITE}/")
            assert page.locator("html").get_attribute("lang") == "th"
            entry = page.locator(f'article[data-meeting="{meeting_id}"]')
            assert entry.count() == 1, page.content()
            assert_on_port(page.content(), base, where="the clerk's site page")
            old_link = entry.locator("p.join-link code").first.inner_text().strip()
            assert old_link.startswith(f"{base}/j/")
            ics = clerk.request.get(base + entry.get_by_text("ไฟล์ปฏิทิน (.ics)").get_attribute("href"))
            assert_on_port(ics.text().replace("\r\n ", ""), base, where="the clerk's .ics")

            # The meeting's document, from the site's page: the PDF is served.
            with page.expect_download() as download_info:
                entry.locator(".documents a").first.click()
            download = download_info.value
            assert download.suggested_filename == "วาระการประชุม.pdf"
            assert Path(download.path()).read_bytes() == document

            # The printed sheet: its 12 digits as printed (groups of four) and the short form's address.
            entry.get_by_text("ใบขั้นตอนเข้าร่วม (พิมพ์)").click()
            page.wait_for_load_state()
            assert_on_port(page.content(), base, where="the join sheet")
            digits = page.locator(".short-code").inner_text().strip()
            assert re.fullmatch(r"\d{4} \d{4} \d{4}", digits), digits
            short_form = page.locator(".short-how strong").inner_text().strip()
            assert short_form == f"{base}/k/"

            # Typed by hand into /k/, spaces and all, as a person reads it off the paper.
            page.goto(short_form)
            page.locator("#code").click()
            page.keyboard.type(digits, delay=40)
            with page.expect_navigation():
                page.keyboard.press("Enter")
            page.wait_for_url(re.compile(rf"^{re.escape(base)}/j/[\w-]+/$"))
            assert page.url == old_link
            assert page.locator(".call-head h1").inner_text().strip() == title
            assert page.locator("#join-button").count() == 1

            # --- a new link, asked for first: the confirmation page says what stops working, then it is done
            page.goto(f"{base}/sites/{CLERK_SITE}/")
            entry = page.locator(f'article[data-meeting="{meeting_id}"]')
            entry.locator("a.renew").click()
            page.wait_for_load_state()
            assert "ออกลิงก์เข้าร่วมใหม่?" in page.locator("section.card h1").inner_text()
            assert "ใบขั้นตอนที่พิมพ์ติดไว้ในห้องประชุม" in page.content()
            page.get_by_role("button", name="ยืนยัน ออกลิงก์ใหม่").click()
            page.wait_for_url(re.compile(r"\?done=1$"))
            assert "ออกลิงก์เข้าร่วมใหม่แล้ว" in page.locator("section.card h1").inner_text()
            page.goto(f"{base}/sites/{CLERK_SITE}/")
            entry = page.locator(f'article[data-meeting="{meeting_id}"]')
            new_link = entry.locator("p.join-link code").first.inner_text().strip()
            assert new_link.startswith(f"{base}/j/")
            assert new_link != old_link
            assert page.goto(old_link).status == 410
            assert "ลิงก์นี้ถูกยกเลิกแล้ว" in page.locator(".refused h1").inner_text()
            assert page.goto(new_link).status == 200
            assert page.locator(".call-head h1").inner_text().strip() == title
            clerk.close()
        finally:
            browser.close()


def _group_ended(group: int, seconds: float = 15) -> None:
    """Wait for every process of the group to end after SIGTERM; SIGKILL what is still there after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)
