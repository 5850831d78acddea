"""deploy/start/worker and deploy/start/beat, run for real with production settings on the test run's Redis."""

from __future__ import annotations

import secrets
import signal
import socket
import subprocess
import time

import pytest

from .processes import ROOT, Started

pytestmark = pytest.mark.integration

START = ROOT / "deploy" / "start"


def test_worker_answers_ping_and_stops_on_sigterm(tmp_path, production_env):
    name = f"deploytest-{secrets.token_hex(4)}@{socket.gethostname()}"
    env = {**production_env, "CELERY_CONCURRENCY": "1"}
    # Extra arguments go through the start script to celery: a name of our own, and no waiting for other workers.
    worker = Started(
        "worker",
        [str(START / "worker"), "--hostname", name, "--without-mingle", "--without-gossip"],
        env=env,
        logdir=tmp_path,
    ).start()
    try:
        worker.wait_until(lambda: "ready." in worker.log(), timeout=60, what="ready")
        assert "concurrency: 1 (prefork)" in worker.log()
        assert ".> celery" in worker.log(), "the worker takes the default queue"
        ping = subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "celery"),
                "-A",
                "portal",
                "inspect",
                "ping",
                "--destination",
                name,
                "--timeout",
                "10",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert ping.returncode == 0, ping.stdout + ping.stderr
        assert f"{name}: OK" in ping.stdout
        assert "pong" in ping.stdout
        started = time.monotonic()
        returncode = worker.stop(sig=signal.SIGTERM, timeout=30)
        assert time.monotonic() - started < 30
        assert returncode == 0, worker.log()[-3000:]
        assert "worker: Warm shutdown" in worker.log()
        assert not worker.leftovers, "the pool processes must go with the worker"
    finally:
        worker.stop(sig=signal.SIGKILL)


def test_beat_starts_with_its_schedule_in_the_configured_directory_and_stops_on_sigterm(tmp_path, production_env):
    schedule = tmp_path / "state" / "celerybeat-schedule"
    beat = Started(
        "beat", [str(START / "beat")], env={**production_env, "PRACHUM_BEAT_SCHEDULE": str(schedule)}, logdir=tmp_path
    ).start()
    try:
        beat.wait_until(lambda: "beat: Starting..." in beat.log(), timeout=60, what="started")
        beat.wait_until(
            lambda: any(schedule.parent.glob("celerybeat-schedule*")), timeout=10, what="writing its schedule"
        )
        assert f"db -> {schedule}" in beat.log()
        returncode = beat.stop(sig=signal.SIGTERM, timeout=20)
        assert returncode == 0, beat.log()[-3000:]
        assert not beat.leftovers
    finally:
        beat.stop(sig=signal.SIGKILL)
