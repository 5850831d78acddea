"""A throw-away PostgreSQL cluster in a temporary directory, on a free port, stopped by its own PID."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .ports import free_port


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for base in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (base / name).exists():
            return str(base / name)
    raise RuntimeError(f"{name} not found: install PostgreSQL (apt-get install postgresql)")


class PostgresServer:
    """initdb + postgres on 127.0.0.1:<free port>. As root it runs as the `postgres` system user."""

    def __init__(self, *, database: str = "prachum") -> None:
        self.database = database
        self.port = free_port()
        self.tmpdir = Path(tempfile.mkdtemp(prefix="prachum-pg-"))
        self.datadir = self.tmpdir / "data"
        self.process: subprocess.Popen | None = None
        self.user = "prachum"

    def _as_owner(self) -> dict:
        if os.geteuid() != 0:
            return {}
        entry = pwd.getpwnam("postgres")
        os.chown(self.tmpdir, entry.pw_uid, entry.pw_gid)
        return {"user": entry.pw_uid, "group": entry.pw_gid}

    @property
    def url(self) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{self.database}"

    def start(self) -> PostgresServer:
        owner = self._as_owner()
        subprocess.run(
            [_pg_bin("initdb"), "-D", str(self.datadir), "-U", self.user, "-A", "trust", "-E", "UTF8",
             "--no-sync", "--locale=C.UTF-8"],
            check=True, capture_output=True, **owner,
        )
        log = open(self.tmpdir / "postgres.log", "w")  # noqa: SIM115 - kept open for the server's life
        self.process = subprocess.Popen(
            [_pg_bin("postgres"), "-D", str(self.datadir), "-p", str(self.port), "-h", "127.0.0.1",
             "-k", str(self.tmpdir), "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off", "-c", "max_connections=200"],
            stdout=log, stderr=subprocess.STDOUT, **owner,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [_pg_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)], check=False, capture_output=True
            )
            if ready.returncode == 0:
                break
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited: {(self.tmpdir / 'postgres.log').read_text()[-2000:]}")
            time.sleep(0.1)
        else:
            raise RuntimeError("postgres did not become ready in 30 s")
        subprocess.run(
            [_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, self.database],
            check=True, capture_output=True,
        )
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: smart shutdown
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
