"""A real Celery worker process (and beat when asked) for the tests, on the test's Redis and PostgreSQL database."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class CeleryWorker:
    """`celery -A portal worker` in its own process group; stop() is a warm shutdown, kill() a SIGKILL of the group.

    `env` must carry DATABASE_URL (the test database) and CELERY_BROKER_URL; settings default to the test ones
    with eager mode off.
    """

    def __init__(self, *, env: dict[str, str], concurrency: int = 2, queues: str = "celery", beat: bool = False):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            **env,
        }
        self.concurrency = concurrency
        self.queues = queues
        self.beat = beat
        self.tmpdir = Path(tempfile.mkdtemp(prefix="prachum-celery-"))
        self.logfile = self.tmpdir / "worker.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> CeleryWorker:
        command = [
            sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel", "INFO",
            "--concurrency", str(self.concurrency), "--queues", self.queues, "--without-gossip",
            "--without-mingle", "--hostname", f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
        ]
        if self.beat:
            command += ["--beat", "--schedule", str(self.tmpdir / "beat-schedule")]
        with self.logfile.open("a") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "ready." in self.log():
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited:\n{self.log()[-3000:]}")
            time.sleep(0.1)
        raise RuntimeError(f"celery worker not ready in {timeout} s:\n{self.log()[-3000:]}")

    def log(self) -> str:
        return self.logfile.read_text(errors="replace") if self.logfile.exists() else ""

    def stop(self, timeout: float = 30) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once: work in flight is lost unless acks_late saves it."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def __enter__(self) -> CeleryWorker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _forget_connections(app) -> None:
    """Close this process's broker connections and forget every pool of them, kombu's own registry of producer
    pools included: one kept there would hand the tests that come after a pool of connections closed here
    ("Acquire on closed pool")."""
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


@contextlib.contextmanager
def publishing_to(broker_url: str):
    """This process publishes tasks to `broker_url` (a real worker runs them) instead of running them in-process;
    afterwards as before, with no connection or pool of either left behind."""
    from portal.celery import app

    saved = (app.conf.task_always_eager, app.conf.broker_url)
    _forget_connections(app)
    app.conf.task_always_eager, app.conf.broker_url = False, broker_url
    try:
        yield app
    finally:
        _forget_connections(app)
        app.conf.task_always_eager, app.conf.broker_url = saved
