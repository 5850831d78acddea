"""Two sites in a real call: two headless Chromium join the real Janus through the portal's join links, each
decodes the other's video, and the control centre shows who is connected (tests/e2e/two_sites_call.py).

Janus never offers loopback ICE candidates, so the driver runs inside a network namespace this test makes, with
a veth pair whose address carries the media (MEDIA.md, last section). Needs root (for `unshare -n`), `unshare`
and `ip`, and Debian's Chromium; says which is missing when it skips.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
DRIVER = ROOT / "tests" / "e2e" / "two_sites_call.py"
NAMESPACE = (
    "set -e; ip link set lo up; ip link add v0 type veth peer name v1; ip addr add 10.200.0.1/24 dev v0; "
    'ip link set v0 up; ip link set v1 up; exec "$0" "$@"'
)
TIMEOUT = 150


def skip_reason() -> str:
    if os.geteuid() != 0:
        return "needs root to make a network namespace (unshare -n): Janus offers no loopback ICE candidates"
    for tool in ("unshare", "ip"):
        if shutil.which(tool) is None:
            return f"`{tool}` is missing (Debian: util-linux, iproute2)"
    if not Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium is missing (Debian: apt-get install chromium)"
    if shutil.which("janus") is None:
        return "janus is missing (Debian: apt-get install janus)"
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        return f"cannot make a network namespace here: {probe.stderr.strip()}"
    return ""


def test_two_sites_see_each_other_and_the_control_centre_shows_them_connected():
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    started = time.monotonic()
    process = subprocess.Popen(
        ["unshare", "-n", "sh", "-c", NAMESPACE, sys.executable, str(DRIVER)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # our own process group: the driver and what it started
        output, _ = process.communicate()
        pytest.fail(f"the two-sites call did not finish in {TIMEOUT} s:\n{output[-6000:]}")
    seconds = time.monotonic() - started
    print(output[-4000:])
    assert process.returncode == 0, f"the two-sites call failed (exit {process.returncode}):\n{output[-6000:]}"
    last = output.strip().splitlines()[-1]
    assert last.startswith("E2E OK "), output[-6000:]
    assert '"4102": "not_yet"' in last
    assert '"count": "2/3 เชื่อมต่อแล้ว"' in last
    print(f"two-sites call: {seconds:.1f} s")


@pytest.mark.unit
def test_the_skip_says_why(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert skip_reason().startswith("needs root to make a network namespace")
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda tool: None if tool == "unshare" else real_which(tool))
    assert skip_reason() == "`unshare` is missing (Debian: util-linux, iproute2)"
