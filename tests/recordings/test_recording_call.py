"""A real recording: two Chromium sites with fake media in a Janus room, recorded for about 10 seconds from the
recording page, processed into playable files (tests/recordings/recording_call.py, in a network namespace of its
own as tests/e2e/test_two_sites_call.py; skipped, with the reason, where that is not possible)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.test_two_sites_call import NAMESPACE, skip_reason

pytestmark = [pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
DRIVER = ROOT / "tests" / "recordings" / "recording_call.py"
TIMEOUT = 180


def test_two_sites_recorded_for_ten_seconds_give_a_mixed_file_and_one_file_per_site():
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
        pytest.fail(f"the recorded call did not finish in {TIMEOUT} s:\n{output[-6000:]}")
    print(output[-4000:])
    assert process.returncode == 0, f"the recorded call failed (exit {process.returncode}):\n{output[-6000:]}"
    last = output.strip().splitlines()[-1]
    assert last.startswith("E2E OK "), output[-6000:]
    assert '"streams": ["audio:opus", "video:vp8"]' in last
    print(f"recorded call: {time.monotonic() - started:.1f} s")
