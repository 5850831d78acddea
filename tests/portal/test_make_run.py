"""`make run`'s script, from an empty database: a login page at the printed URL, and the four demo accounts log in."""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.services.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.e2e
def test_embedded_run_serves_login_and_demo_accounts(tmp_path):
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "PRACHUM_PORT": str(port),
        "PRACHUM_RUNSERVER_ARGS": "--noreload",
        "PRACHUM_JANUS_HTTP_PORT": str(free_port()),
        "PRACHUM_JANUS_ADMIN_PORT": str(free_port()),
    }
    log = (tmp_path / "run.log").open("w")
    process = subprocess.Popen(
        ["bash", "deploy/run-embedded.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/login/", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.3)
            assert process.poll() is None, (tmp_path / "run.log").read_text()
        output = (tmp_path / "run.log").read_text()
        assert f"prachum is at {base}" in output
        if shutil.which("janus"):
            assert f"Janus is running on 127.0.0.1:{env['PRACHUM_JANUS_HTTP_PORT']}" in output, output
        for username in ("admin", "scheduler", "clerk4122", "finance", "admin39", "scheduler39"):
            assert re.search(rf"^\s+{username}\s+demo\s", output, re.MULTILINE), output
            with requests.Session() as session:
                page = session.get(f"{base}/login/", timeout=5).text
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
                response = session.post(
                    f"{base}/login/",
                    data={"csrfmiddlewaretoken": token, "username": username, "password": "demo"},
                    allow_redirects=False,
                    timeout=5,
                )
                assert response.status_code == 302, username
                page = session.get(f"{base}/", timeout=10)
                assert page.status_code == 200, username
                if shutil.which("janus"):
                    assert "ห้องประชุมเป็นแบบจำลอง" not in page.text  # real rooms: no fake-media banner
                if username == "clerk4122":  # the links the portal writes point at the port it was started on
                    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
                    session.post(f"{base}/meetings/join/site/4122/feed/renew/", data={"csrfmiddlewaretoken": token},
                                 timeout=10)
                    page = session.get(f"{base}/sites/4122/", timeout=10).text
                    assert re.search(rf"<code>{re.escape(base)}/meetings/join/feed/[\w-]+\.ics</code>", page), page
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        _group_ended(process.pid)  # Janus and the periodic runner too: nothing left running after the test
        log.close()


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
