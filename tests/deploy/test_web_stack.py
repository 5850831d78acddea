"""The Debian-server path, run for real on this machine: PostgreSQL migrated by deploy/start/migrate, gunicorn started
by deploy/start/web (deploy/gunicorn.conf.py, production settings), Janus by deploy/start/janus, and nginx with
deploy/nginx/prachum.conf (TLS, a self-signed certificate) in front — each on a free loopback port, stopped by its
own PID. Requests go through nginx, as a browser's would."""

from __future__ import annotations

import http.client
import json
import re
import secrets
import ssl
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import requests
import requests.adapters
from psycopg import sql

from tests.services.ports import free_port
from tests.services.postgres import _pg_bin

from .nginx_site import (
    access_log_of,
    nginx_command,
    render_debian_site,
    render_locations,
    self_signed_certificate,
    write_nginx,
)
from .processes import ROOT, Started

pytestmark = pytest.mark.integration

START = ROOT / "deploy" / "start"


def wait_for_http(url: str, **kwargs) -> bool:
    try:
        requests.get(url, timeout=5, allow_redirects=False, **kwargs)
    except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still loading the application
        return False
    return True


class Stack:
    def __init__(self, *, tmp: Path, env: dict[str, str]) -> None:
        self.tmp = tmp
        self.env = env
        self.web_port, self.janus_port, self.janus_admin_port, self.http_port, self.https_port = (
            free_port() for _ in range(5)
        )
        self.static_root = tmp / "static"
        self.media_root = tmp / "media"
        self.server_name = f"prachum-deploy-test-{secrets.token_hex(3)}"
        self.cert, self.key = self_signed_certificate(tmp)
        self.started: list[Started] = []
        self.web: Started | None = None

    @property
    def https(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def run(self, *command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run(
            command, cwd=ROOT, env=env or self.env, capture_output=True, text=True, check=False, timeout=120
        )
        assert result.returncode == 0, f"{command}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        return result

    def prepare(self) -> None:
        self.run(str(START / "migrate"), "--verbosity", "0")
        # collectstatic into a tmp STATIC_ROOT: a settings module of the test's own on top of production's.
        overrides = self.tmp / "settings_override"
        overrides.mkdir()
        (overrides / "deploy_static_settings.py").write_text(
            f"from portal.settings.production import *  # noqa: F403\nSTATIC_ROOT = {str(self.static_root)!r}\n"
        )
        self.run(
            sys.executable,
            "manage.py",
            "collectstatic",
            "--noinput",
            "--verbosity",
            "0",
            env={**self.env, "DJANGO_SETTINGS_MODULE": "deploy_static_settings", "PYTHONPATH": str(overrides)},
        )
        self.media_root.mkdir()
        (self.media_root / "agenda.txt").write_text("วาระการประชุม\n")
        self.run(
            sys.executable,
            "manage.py",
            "createsuperuser",
            "--noinput",
            "--username",
            "deployadmin",
            "--email",
            "deployadmin@example.go.th",
            env={**self.env, "DJANGO_SUPERUSER_PASSWORD": "deploy-test-password"},
        )

    def start(self) -> None:
        self.web = self._start(
            "web",
            [str(START / "web")],
            GUNICORN_BIND=f"127.0.0.1:{self.web_port}",
            GUNICORN_WORKERS="2",
            DJANGO_MEDIA_ROOT=str(self.media_root),
        )
        janus = self._start(
            "janus",
            [str(START / "janus")],
            JANUS_CONFIG_DIR=str(self.tmp / "janus-conf"),
            JANUS_HTTP_PORT=str(self.janus_port),
            JANUS_ADMIN_PORT=str(self.janus_admin_port),
            JANUS_SERVER_NAME=self.server_name,
            JANUS_MAIN_ADMIN_SECRET=secrets.token_urlsafe(16),
            JANUS_MAIN_ADMIN_KEY=secrets.token_urlsafe(16),
            JANUS_RTP_PORT_RANGE="20000-20099",
            JANUS_NAT_1_1_MAPPING="203.0.113.7",
        )
        workdir = self.tmp / "nginx"
        conf = write_nginx(
            workdir,
            site_text=render_debian_site(
                locations=workdir / "prachum-locations.conf",
                web_port=self.web_port,
                janus_port=self.janus_port,
                http_port=self.http_port,
                https_port=self.https_port,
                cert=self.cert,
                key=self.key,
            ),
            locations_text=render_locations(
                static_root=self.static_root, media_root=self.media_root,
                access_log=access_log_of(workdir / "prachum-locations.conf"),
            ),
        )
        nginx = self._start("nginx", nginx_command(conf, workdir, "-g", "daemon off;"))
        self.web.wait_until(lambda: wait_for_http(f"http://127.0.0.1:{self.web_port}/healthz"), what="listening")
        janus.wait_until(lambda: wait_for_http(f"http://127.0.0.1:{self.janus_port}/janus/info"), what="listening")
        nginx.wait_until(lambda: wait_for_http(f"{self.http}/"), what="listening")

    def _start(self, name: str, command: list[str], **env: str) -> Started:
        started = Started(name, command, env={**self.env, **env}, logdir=self.tmp).start()
        self.started.append(started)
        return started

    def stop(self) -> list[str]:
        """Stops everything (nginx first); returns the names of those that left processes behind."""
        leftovers = []
        for started in reversed(self.started):
            started.stop()
            if started.leftovers:
                leftovers.append(started.name)
        return leftovers

    def access_log(self) -> list[dict]:
        """gunicorn's access log: the JSON lines of the web process's output."""
        records = []
        for line in self.web.log().splitlines():
            if line.startswith("{"):
                record = json.loads(line)
                if {"method", "status", "path"} <= record.keys():
                    records.append(record)
        return records


@pytest.fixture(scope="module")
def stack(tmp_path_factory, production_env):
    stack = Stack(tmp=tmp_path_factory.mktemp("stack"), env=production_env)
    try:
        stack.prepare()
        stack.start()
        yield stack
    finally:
        leftovers = stack.stop()
    assert not leftovers, f"processes left behind by {leftovers}"


@pytest.fixture
def browser(stack):
    with requests.Session() as session:
        session.trust_env = False  # REQUESTS_CA_BUNDLE and the like would override `verify`
        session.verify = str(stack.cert)
        yield session


def test_healthz_through_nginx_reports_database_and_broker(stack, browser):
    response = browser.get(f"{stack.https}/healthz", timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    # Production settings over https: HSTS from Django, passed on by nginx.
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_login_page_is_thai_and_a_login_works_through_the_proxy(stack, browser):
    page = browser.get(f"{stack.https}/login/", timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Language"] == "th"
    assert "เข้าสู่ระบบ" in page.text
    assert 'name="username"' in page.text
    assert 'name="password"' in page.text
    # CSRF over https behind a proxy needs X-Forwarded-Proto and Host passed right; the cookies come back Secure.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    login = browser.post(
        f"{stack.https}/login/",
        data={"csrfmiddlewaretoken": token, "username": "deployadmin", "password": "deploy-test-password"},
        headers={"Referer": f"{stack.https}/login/"},
        allow_redirects=False,
        timeout=10,
    )
    assert login.status_code == 302, login.text[:2000]
    assert login.headers["Location"] == "/"
    session_cookie = next(cookie for cookie in browser.cookies if cookie.name == "sessionid")
    assert session_cookie.secure


def test_http_redirects_to_https(stack):
    response = requests.get(f"{stack.http}/login/?next=/meetings/", allow_redirects=False, timeout=10)
    assert response.status_code == 301
    assert response.headers["Location"] == "https://127.0.0.1/login/?next=/meetings/"


def test_static_files_are_served_by_nginx_gzipped_and_uploads_are_not_public(stack, browser):
    css = browser.get(f"{stack.https}/static/portal.css", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert css.status_code == 200
    assert css.headers["Content-Type"] == "text/css; charset=utf-8"
    assert css.headers["Content-Encoding"] == "gzip"
    assert css.text == (ROOT / "static" / "portal.css").read_text()
    # Uploaded documents: only through the portal's permission check (X-Accel-Redirect to an internal location).
    assert browser.get(f"{stack.https}/protected-media/agenda.txt", timeout=10).status_code == 404
    assert "วาระการประชุม" not in browser.get(f"{stack.https}/media/agenda.txt", timeout=10).text
    assert not any(record["path"].startswith("/static/") for record in stack.access_log()), (
        "static files must never reach gunicorn"
    )


def test_gunicorn_writes_one_json_access_record_per_request(stack, browser):
    browser.get(
        f"{stack.https}/healthz?probe=access-log", headers={"User-Agent": 'probe "quoted" \\ agent'}, timeout=10
    )
    # gunicorn logs a request after answering it: give the line a moment to arrive.
    deadline = time.monotonic() + 5
    while not (records := [record for record in stack.access_log() if record["query"] == "probe=access-log"]):
        assert time.monotonic() < deadline, stack.web.log()[-3000:]
        time.sleep(0.05)
    (record,) = records
    assert record["method"] == "GET"
    assert record["path"] == "/healthz"
    assert record["status"] == 200
    assert record["user_agent"] == 'probe "quoted" \\ agent'
    assert record["forwarded_for"] == "127.0.0.1"
    assert re.fullmatch(r"[0-9a-f]{32}", record["request_id"]), "nginx's $request_id is passed on"
    assert record["duration_ms"] >= 0


def test_no_log_holds_a_capability_token(stack, browser):
    """Requests that carry tokens (a join link, its QR code, a calendar feed, a test call, the Jitsi reservation API,
    and a Referer from the join page) go through nginx to gunicorn and Django; none of the three logs keeps one."""
    tokens = [secrets.token_urlsafe(32) for _ in range(8)]
    short_code = f"{secrets.randbelow(10**12):012d}"
    tokens.append(short_code)
    paths = [
        f"/j/{tokens[0]}/",
        f"/k/{short_code}/",
        f"/meetings/join/p/{tokens[1]}/qr.svg",
        f"/meetings/join/feed/{tokens[2]}.ics",
        f"/meetings/join/test/{tokens[3]}/",
        f"/meetings/jitsi/reservations/{tokens[4]}/conference",
        f"/proceedings/p/{tokens[5]}/panel/",  # the join page's roll-call and votes panel, polled
        f"/recordings/p/{tokens[6]}/state/",  # the join page's "recording" sign, polled
        f"/evidence/p/{tokens[7]}/faults/",  # the join page's fault report (POST only: a GET is refused)
    ]
    referer = f"{stack.https}/j/{tokens[0]}/"
    for path in paths:
        response = browser.get(f"{stack.https}{path}?probe=tokens", headers={"Referer": referer}, timeout=10)
        assert response.status_code in {403, 404, 405, 410}, (path, response.status_code)  # unknown tokens
    browser.get(f"http://127.0.0.1:{stack.http_port}/j/{tokens[0]}/", allow_redirects=False, timeout=10)
    deadline = time.monotonic() + 5
    while len([r for r in stack.access_log() if r["query"] == "probe=tokens"]) < len(paths):
        assert time.monotonic() < deadline, stack.web.log()[-3000:]
        time.sleep(0.05)
    # The join page's long poll to Janus carries its pass's media token in the query (janus.js does so).
    media_token = secrets.token_urlsafe(32)
    tokens.append(media_token)
    browser.get(f"{stack.https}/janus/123?rid=1&maxev=10&token={media_token}&probe=janus", timeout=10)
    nginx_log_path = access_log_of(stack.tmp / "nginx" / "prachum-locations.conf")
    while "probe=janus" not in nginx_log_path.read_text():  # nginx writes the line once the answer is sent
        assert time.monotonic() < deadline + 5
        time.sleep(0.05)
    # The short form's box sends its 12 digits in the query.
    typed = f"{secrets.randbelow(10**12):012d}"
    tokens.append(typed)
    assert browser.get(f"{stack.https}/k/", params={"code": typed, "probe": "box"}, timeout=10).status_code == 404
    while "probe=box" not in nginx_log_path.read_text():
        assert time.monotonic() < deadline + 5
        time.sleep(0.05)
    nginx_log = nginx_log_path.read_text()
    assert "/janus/123?rid=1&maxev=10&token=...&probe=janus" in nginx_log
    assert "/k/?code=...&probe=box" in nginx_log
    logs = {"nginx": nginx_log, "gunicorn and Django": stack.web.log()}
    for name, text in logs.items():
        for token in tokens:
            assert token not in text, f"{name}'s log holds a token"
    assert "/j/.../" in nginx_log
    assert "/meetings/join/feed/....ics" in nginx_log
    logged = [r for r in stack.access_log() if r["query"] == "probe=tokens"]
    assert {r["path"] for r in logged} == {
        "/j/…/", "/k/…/", "/meetings/join/p/…/qr.svg", "/meetings/join/feed/….ics", "/meetings/join/test/…/",
        "/meetings/jitsi/reservations/…/conference", "/proceedings/p/…/panel/", "/recordings/p/…/state/",
        "/evidence/p/…/faults/",
    }
    assert {r["referer"] for r in logged} == {f"{stack.https}/j/…/"}


def _get_from(stack, address: str, path: str, method: str = "GET") -> int:
    """The status of a request through nginx's https port from another loopback address (another machine, for
    nginx: its limits and allow lists go by the client's address)."""
    context = ssl.create_default_context(cafile=str(stack.cert))
    connection = http.client.HTTPSConnection(
        "127.0.0.1", stack.https_port, context=context, source_address=(address, 0), timeout=10
    )
    try:
        connection.request(method, path, body=b"username=x&password=y" if method == "POST" else None,
                           headers={"Content-Type": "application/x-www-form-urlencoded"} if method == "POST" else {})
        return connection.getresponse().status
    finally:
        connection.close()


def test_metrics_only_for_the_monitoring_host(stack, browser):
    assert browser.get(f"{stack.https}/metrics", timeout=10).status_code == 200  # 127.0.0.1: the monitoring host
    for path in ("/metrics", "/metrics/", "/%6Detrics"):
        assert _get_from(stack, "127.0.0.2", path) == 403, path
    assert _get_from(stack, "127.0.0.2", "/healthz") == 200  # the rest is for everyone


def test_guessing_join_links_and_passwords_is_slowed_with_429(stack):
    codes = [_get_from(stack, "127.0.0.3", f"/j/{secrets.token_urlsafe(32)}/qr.svg") for _ in range(100)]
    assert 429 in codes, codes
    assert codes[:50].count(429) == 0  # a site's page with 50 meetings loads its 50 QR images
    logins = [_get_from(stack, "127.0.0.5", "/login/", method="POST") for _ in range(12)]
    assert 429 in logins, logins
    assert logins[0] != 429
    assert _get_from(stack, "127.0.0.4", f"/j/{secrets.token_urlsafe(32)}/") != 429  # another address is not slowed
    # The sheet's 12 digits are slowed harder: ten at once, then one a second.
    short = [_get_from(stack, "127.0.0.8", f"/k/{secrets.randbelow(10**12):012d}/") for _ in range(20)]
    assert short[:10] == [404] * 10, short
    assert 429 in short[10:], short


class _FromAddress(requests.adapters.HTTPAdapter):
    """Connections from one loopback address: another client, as nginx sees it."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


def _sign_in_from(stack, address: str, password: str) -> requests.Response:
    with requests.Session() as session:
        session.trust_env, session.verify = False, str(stack.cert)
        session.mount("https://", _FromAddress(address))
        page = session.get(f"{stack.https}/login/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return session.post(
            f"{stack.https}/login/",
            data={"csrfmiddlewaretoken": token, "username": "deployadmin", "password": password},
            headers={"Referer": f"{stack.https}/login/"},
            allow_redirects=False,
            timeout=10,
        )


def test_wrong_passwords_lock_that_address_for_that_person_not_the_person_everywhere(stack):
    """Behind nginx django-axes used to see no address at all: five wrong passwords from anywhere locked the person
    out from everywhere. Now the lock is per person and address: from another address they still sign in."""
    attempts = [_sign_in_from(stack, "127.0.0.6", "wrong-password") for _ in range(5)]
    assert [a.status_code for a in attempts[:4]] == [200] * 4  # the form again, with the error
    locked = _sign_in_from(stack, "127.0.0.6", "deploy-test-password")
    assert "ระงับการเข้าสู่ระบบชั่วคราว" in locked.text  # axes' page, not nginx's 429
    elsewhere = _sign_in_from(stack, "127.0.0.7", "deploy-test-password")
    assert elsewhere.status_code == 302, elsewhere.text[:500]
    # A client cannot choose its address: what it puts in X-Forwarded-For comes before the one nginx appends, so
    # claiming the locked address from another one changes nothing (axes goes by the address nginx saw).
    with requests.Session() as session:
        session.trust_env, session.verify = False, str(stack.cert)
        session.mount("https://", _FromAddress("127.0.0.9"))
        claims = {"X-Forwarded-For": "127.0.0.6"}
        page = session.get(f"{stack.https}/login/", headers=claims, timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        spoofed = session.post(
            f"{stack.https}/login/", headers={"Referer": f"{stack.https}/login/", **claims},
            data={"csrfmiddlewaretoken": token, "username": "deployadmin", "password": "deploy-test-password"},
            allow_redirects=False, timeout=10,
        )
    assert spoofed.status_code == 302, spoofed.text[:500]


def test_janus_api_is_proxied_at_slash_janus(stack, browser):
    info = browser.get(f"{stack.https}/janus/info", timeout=10)
    assert info.status_code == 200
    assert info.json()["server-name"] == stack.server_name
    rendered = (stack.tmp / "janus-conf" / "janus.jcfg").read_text()
    assert 'rtp_port_range = "20000-20099"' in rendered
    assert 'nat_1_1_mapping = "203.0.113.7"' in rendered
    assert "@" not in rendered.split("general: {", 1)[1], "every placeholder is filled in"


def test_uploads_larger_than_the_document_limit_are_refused_by_nginx(stack):
    context = ssl.create_default_context(cafile=str(stack.cert))
    connection = http.client.HTTPSConnection("127.0.0.1", stack.https_port, context=context, timeout=10)
    try:
        connection.putrequest("POST", "/meetings/")
        connection.putheader("Content-Length", str(201 * 1024 * 1024 + 1))
        connection.putheader("Content-Type", "application/octet-stream")
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == 413
    finally:
        connection.close()


def test_healthcheck_script_asks_gunicorn_as_nginx_would(stack):
    env = {**stack.env, "GUNICORN_BIND": f"127.0.0.1:{stack.web_port}"}
    healthy = subprocess.run(
        [sys.executable, "deploy/healthcheck.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert healthy.returncode == 0, healthy.stderr
    nobody = subprocess.run(
        [sys.executable, "deploy/healthcheck.py"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{free_port()}"},
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert nobody.returncode == 1
    assert "unhealthy" in nobody.stderr


def test_backup_and_restore_as_the_operations_guide_says(stack, tmp_path):
    """docs/operations.md: pg_dump --format=custom, then pg_restore --no-owner --role prachum into a fresh database."""
    source = stack.env["DATABASE_URL"]
    dump = tmp_path / "prachum.dump"
    subprocess.run(
        [_pg_bin("pg_dump"), "--format=custom", f"--file={dump}", source], check=True, capture_output=True, timeout=60
    )
    restored = f"{source}_restored"
    name = restored.rsplit("/", 1)[1]
    with psycopg.connect(source, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        subprocess.run(
            [
                _pg_bin("pg_restore"),
                f"--dbname={restored}",
                "--no-owner",
                "--role",
                "prachum",
                "--jobs",
                "2",
                str(dump),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        with psycopg.connect(restored) as connection:
            admins = connection.execute("SELECT username FROM auth_user WHERE is_superuser").fetchall()
            migrations = connection.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
        assert admins == [("deployadmin",)]
        assert migrations > 0
    finally:
        with psycopg.connect(source, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
