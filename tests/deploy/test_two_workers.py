"""Nothing is stale between web workers (issue 12): two gunicorn processes (deploy/start/web, one worker each, on
two ports) with production settings, on one PostgreSQL database and the production cache (Redis). An edit of the
Site in the Django admin, a meeting cancelled by the scheduler and a sign-out, each made through worker B, are seen
on the very next request of the clerk's page (/sites/<code>/) through worker A.

gunicorn is spoken to directly, as nginx would: plain http with `X-Forwarded-Proto: https` (trusted from 127.0.0.1),
and the cookies, which production marks Secure, are kept and sent by hand.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import requests
from psycopg import sql

from tests.services.ports import free_port

from .processes import ROOT, Started

pytestmark = pytest.mark.integration

START = ROOT / "deploy" / "start"
PROVINCE = "41"  # Udon Thani
DISTRICT = "4122"  # the clerk's district office
PASSWORD = "two-workers-" + secrets.token_urlsafe(12)
OLD_PHONE = "042-111-222"
NEW_PHONE = "042-999-888"
TITLE = "ประชุมติดตามงานสองเวิร์กเกอร์"

# Run by `manage.py shell -c` under production settings: the accounts, the clerk's site phone number, and one
# meeting scheduled through the service, so that the site has its join pass. Its room waits for a Celery worker
# that never comes (no media server is needed: the clerk's page lists the meeting and its link all the same).
SETUP = """
import json, os
from datetime import datetime, time, timedelta
from django.utils import timezone
from districts.models import Site, Staff
from districts.services import staff_create
from foundation.thaidate import BANGKOK
from join.models import JoinPass
from meetings.services.scheduling import meeting_schedule

given = json.loads(os.environ["TWO_WORKERS_SETUP"])
hall = Site.objects.get(province__code=given["province"], kind=Site.Kind.PROVINCIAL_HALL)
site = Site.objects.select_related("district").get(district__code=given["district"])
site.contact_phone = given["phone"]
site.save(update_fields=["contact_phone"])
users = {}
for role, where in (("clerk", site), ("admin", hall), ("scheduler", hall)):
    staff = staff_create(username=given["usernames"][role], password=given["password"], role=role, site=where)
    users[role] = staff.user
day = timezone.now().astimezone(BANGKOK).date() + timedelta(days=2)
start = datetime.combine(day, time(10, 0), tzinfo=BANGKOK)
meeting = meeting_schedule(
    title=given["title"], host_site=hall, sites=[site], start=start, end=start + timedelta(hours=2),
    created_by=users["scheduler"],
)
join_pass = JoinPass.objects.get(meeting=meeting, site=site, revoked_at__isnull=True)
print(json.dumps({"site_id": site.pk, "code": site.code, "meeting_id": meeting.pk, "token": join_pass.token}))
"""


@dataclass
class Worker:
    name: str
    port: int
    process: Started

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def access_log(self) -> list[dict]:
        records = []
        for line in self.process.log().splitlines():
            if line.startswith("{"):
                record = json.loads(line)
                if {"method", "status", "path", "pid"} <= record.keys():
                    records.append(record)
        return records


class Browser:
    """One person's browser. Production sets its cookies Secure, which `requests` would never send over plain
    http: they are kept here by hand, and sent to whichever worker is asked, as one browser behind nginx would."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, method: str, worker: Worker, path: str, *, data: dict | None = None) -> requests.Response:
        headers = {"X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if method == "POST":
            headers["Origin"] = f"https://127.0.0.1:{worker.port}"  # what Django's CSRF check compares over https
        response = requests.request(
            method, worker.base + path, data=data, headers=headers, allow_redirects=False, timeout=15
        )
        for header in response.raw.headers.getlist("Set-Cookie"):
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0":  # deleted (Django's deletion cookie is not marked Secure)
                    self.cookies.pop(name, None)
                else:
                    assert morsel["secure"], f"production sets its cookies Secure: {header}"
                    self.cookies[name] = morsel.value
        return response

    def get(self, worker: Worker, path: str) -> requests.Response:
        return self.request("GET", worker, path)

    def post(self, worker: Worker, path: str, data: dict) -> requests.Response:
        return self.request("POST", worker, path, data=data)

    def sign_in(self, worker: Worker, username: str) -> None:
        page = self.get(worker, "/login/")
        assert page.status_code == 200, page.text[:2000]
        signed_in = self.post(
            worker,
            "/login/",
            {"csrfmiddlewaretoken": csrf_token(page.text), "username": username, "password": PASSWORD},
        )
        assert signed_in.status_code == 302, signed_in.text[:3000]
        assert signed_in.headers["Location"] == "/"
        assert "sessionid" in self.cookies


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, html[:3000]
    return found.group(1)


class FormValues(HTMLParser):
    """What a browser would submit of the form with this id: its inputs, checked boxes, selects and textareas."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attributes:
                    self.values[name] = attributes.get("value") or "on"
                return
            self.values[name] = attributes.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attributes:
            self.values[self._select] = attributes.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def form_values(html: str, form_id: str) -> dict[str, str]:
    parser = FormValues(form_id)
    parser.feed(html)
    parser.close()
    assert parser.values, f"no form #{form_id}:\n{html[:3000]}"
    return parser.values


def run(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=180)
    assert result.returncode == 0, f"{command[:3]}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def database_url(deploy_database_url: str) -> Iterator[str]:
    """A database of this module's own, beside the deploy tests' one (whose superuser test_web_stack counts)."""
    name = f"prachum_two_workers_{secrets.token_hex(4)}"
    with psycopg.connect(deploy_database_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(deploy_database_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(deploy_database_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@dataclass
class Deployment:
    a: Worker
    b: Worker
    usernames: dict[str, str]
    site_id: int
    code: str
    meeting_id: int
    token: str


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, production_env: dict[str, str], database_url: str) -> Iterator[Deployment]:
    tmp: Path = tmp_path_factory.mktemp("two-workers")
    env = {
        **production_env,
        "DATABASE_URL": database_url,
        # The tasks this test's scheduling sends (room provisioning, invitations) go to a Redis database no worker
        # of the suite reads: on the shared broker, another test's worker would run them against its own database.
        "CELERY_BROKER_URL": production_env["CELERY_BROKER_URL"].rsplit("/", 1)[0] + "/2",
    }
    run([str(START / "migrate"), "--verbosity", "0"], env)
    manage = [sys.executable, "manage.py"]
    run([*manage, "load_geography"], env)
    run([*manage, "create_province_sites", PROVINCE], env)
    suffix = secrets.token_hex(3)
    usernames = {role: f"{role}-two-workers-{suffix}" for role in ("clerk", "admin", "scheduler")}
    given = {
        "province": PROVINCE,
        "district": DISTRICT,
        "phone": OLD_PHONE,
        "title": TITLE,
        "usernames": usernames,
        "password": PASSWORD,
    }
    output = run([*manage, "shell", "-c", SETUP], {**env, "TWO_WORKERS_SETUP": json.dumps(given)})
    made = json.loads(output.strip().splitlines()[-1])

    workers = []
    try:
        for name in ("a", "b"):
            port = free_port()
            process = Started(
                f"web-{name}",
                [str(START / "web")],
                env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1"},
                logdir=tmp,
            ).start()
            workers.append(Worker(name, port, process))
        for worker in workers:
            worker.process.wait_until(lambda worker=worker: healthy(worker), timeout=60, what="healthy")
        yield Deployment(workers[0], workers[1], usernames, **made)
    finally:
        leftovers = []
        for worker in workers:
            worker.process.stop()
            if worker.process.leftovers:
                leftovers.append(worker.name)
    assert not leftovers, f"gunicorn left processes behind: {leftovers}"


def healthy(worker: Worker) -> bool:
    try:
        answer = requests.get(f"{worker.base}/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=5)
    except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still loading the application
        return False
    return answer.status_code == 200


def meeting_article(html: str, meeting_id: int) -> str:
    found = re.search(rf'<article[^>]*data-meeting="{meeting_id}".*?</article>', html, re.S)
    assert found, f"meeting {meeting_id} is not on the page:\n{html[:4000]}"
    return found.group(0)


def test_admin_edit_cancellation_and_sign_out_through_one_worker_are_seen_at_once_by_the_other(deployment):
    a, b = deployment.a, deployment.b
    page_path = f"/sites/{deployment.code}/"
    join_link = f"/j/{deployment.token}/"

    def clerk_page(browser: Browser, worker: Worker) -> str:
        page = browser.get(worker, page_path)
        assert page.status_code == 200, f"{worker.name}: {page.status_code} {page.text[:2000]}"
        return page.text

    # The clerk signs in through A; the one session (in the database) works on both workers.
    clerk = Browser()
    clerk.sign_in(a, deployment.usernames["clerk"])
    for worker in (a, b):
        html = clerk_page(clerk, worker)
        assert f'href="tel:{OLD_PHONE}"' in html, worker.name
        article = meeting_article(html, deployment.meeting_id)
        assert TITLE in article
        assert join_link in article, "the site's join link is on its page"
        assert "ยกเลิกแล้ว" not in article

    # The administrator changes the site's phone number in the Django admin, through B.
    admin = Browser()
    admin.sign_in(b, deployment.usernames["admin"])
    change = f"/admin/districts/site/{deployment.site_id}/change/"
    form = admin.get(b, change)
    assert form.status_code == 200, form.text[:2000]
    values = form_values(form.text, "site_form")
    assert values["contact_phone"] == OLD_PHONE
    saved = admin.post(b, change, {**values, "contact_phone": NEW_PHONE, "_save": "บันทึก"})
    assert saved.status_code == 302, saved.text[:4000]
    assert saved.headers["Location"].startswith("/admin/districts/site/")

    html = clerk_page(clerk, a)
    assert f'href="tel:{NEW_PHONE}"' in html, "A shows the phone number saved through B"
    assert OLD_PHONE not in html

    # The scheduler cancels the meeting, through B.
    scheduler = Browser()
    scheduler.sign_in(b, deployment.usernames["scheduler"])
    cancel = f"/meetings/{deployment.meeting_id}/cancel/"
    confirm = scheduler.get(b, cancel)
    assert confirm.status_code == 200, confirm.text[:2000]
    cancelled = scheduler.post(b, cancel, {"csrfmiddlewaretoken": csrf_token(confirm.text), "reason": "ทดสอบสองเครื่อง"})
    assert cancelled.status_code == 302, cancelled.text[:4000]
    assert cancelled.headers["Location"] == f"/meetings/{deployment.meeting_id}/"

    html = clerk_page(clerk, a)
    article = meeting_article(html, deployment.meeting_id)
    assert "ยกเลิกแล้ว" in article, "A shows the meeting cancelled through B"
    assert deployment.token not in html, "and no join link, button or QR code for it"
    assert "เข้าร่วมประชุม" not in article

    # The clerk signs out through B (the logout form of B's page); A refuses the old session cookie at once.
    old_cookies = dict(clerk.cookies)
    page_on_b = clerk_page(clerk, b)
    signed_out = clerk.post(b, "/logout/", {"csrfmiddlewaretoken": csrf_token(page_on_b)})
    assert signed_out.status_code == 302, signed_out.text[:3000]
    assert "sessionid" not in clerk.cookies, "the sign-out deletes the session cookie"

    stale = Browser()
    stale.cookies = old_cookies  # a copy of the cookies from before the sign-out, sent again through A
    after = stale.get(a, page_path)
    assert after.status_code == 302, f"{after.status_code}: {after.text[:2000]}"
    assert after.headers["Location"] == f"/login/?next={page_path}"

    # Both workers answered (each process has one worker: one pid per log), and each request went where it was sent.
    def pages_on_a() -> list[int]:
        return [r["status"] for r in a.access_log() if r["method"] == "GET" and r["path"] == page_path]

    # gunicorn writes a request's line after answering it: give the last one a moment to arrive.
    a.process.wait_until(lambda: len(pages_on_a()) == 4, timeout=5, what="logging the last request")
    assert pages_on_a() == [200, 200, 200, 302]
    pids = {worker.name: {record["pid"] for record in worker.access_log()} for worker in (a, b)}
    assert len(pids["a"]) == 1, pids
    assert len(pids["b"]) == 1, pids
    assert pids["a"] != pids["b"], pids
    posts_on_b = {r["path"] for r in b.access_log() if r["method"] == "POST"}
    assert {change, cancel, "/logout/"} <= posts_on_b, posts_on_b
    assert not any(r["method"] == "POST" and r["path"] != "/login/" for r in a.access_log())
