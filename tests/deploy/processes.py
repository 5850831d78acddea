"""Processes the deploy tests start from the deploy/ start scripts: own process group, own log, stopped by own PID."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Started:
    """One command (usually a deploy/start script, which execs the real server) in its own session.

    `stop()` sends SIGTERM to the PID we started — after `exec`, the server itself — and waits; then it checks that
    nothing of its process group is left (gunicorn or celery children), and SIGKILLs the group only if something is.
    """

    def __init__(self, name: str, command: list[str], *, env: dict[str, str], logdir: Path) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.logfile = logdir / f"{name}.log"
        self.process: subprocess.Popen | None = None
        self.leftovers = False

    def start(self) -> Started:
        with self.logfile.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def log(self) -> str:
        return self.logfile.read_text(errors="replace") if self.logfile.exists() else ""

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_until(self, ready: Callable[[], bool], *, timeout: float = 30, what: str = "ready") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            if not self.running:
                raise AssertionError(
                    f"{self.name} exited ({self.process.returncode}) before {what}:\n{self.log()[-4000:]}"
                )
            time.sleep(0.05)
        raise AssertionError(f"{self.name} not {what} in {timeout} s:\n{self.log()[-4000:]}")

    def stop(self, *, sig: int = signal.SIGTERM, timeout: float = 20) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            os.kill(self.process.pid, sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
                self.leftovers = True
        deadline = time.monotonic() + 5
        while group_alive(self.process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if group_alive(self.process.pid):
            os.killpg(self.process.pid, signal.SIGKILL)
            self.leftovers = True
        return self.process.returncode


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
