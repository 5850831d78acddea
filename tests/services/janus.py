"""A throw-away Janus (VideoRoom + HTTP transport) on free loopback ports, stopped by its own PID.

The configuration is rendered from the templates in deploy/janus/ (the files `make run` and production use),
so the tests run the same Janus configuration as everyone else: only the ports, the secrets, the server name
and the configs folder differ.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from .ports import free_port

TEMPLATES = Path(__file__).resolve().parents[2] / "deploy" / "janus"
CONFIG_FILES = ("janus.jcfg", "janus.transport.http.jcfg", "janus.plugin.videoroom.jcfg")
VIDEOROOM = "janus.plugin.videoroom"


def _replace_once(text: str, pattern: str, replacement: str, filename: str) -> str:
    """Replace exactly one match of `pattern` (a regex, multiline): the templates must not drift silently."""
    new, count = re.subn(pattern, lambda _match: replacement, text, flags=re.MULTILINE)
    if count != 1:
        raise RuntimeError(f"deploy/janus/{filename}: expected one match of {pattern!r}, found {count}")
    return new


def _quoted(value: str) -> str:
    """A libconfig string literal; refuses what would need escaping (secrets are URL-safe tokens)."""
    if any(char in value for char in '"\\\n'):
        raise ValueError(f"unsupported character in Janus configuration value {value!r}")
    return f'"{value}"'


def render_config(
    *,
    configs_folder: Path,
    admin_secret: str,
    admin_key: str,
    server_name: str,
    port: int = 8088,
    admin_port: int = 7088,
    ice_enforce_list: str = "",
    api_secret: str = "",
) -> dict[str, str]:
    """The three Janus configuration files (name -> text), rendered from the deploy/janus/ templates."""
    core = (TEMPLATES / "janus.jcfg").read_text()
    core = _replace_once(core, r'"@CONFIGS_FOLDER@"', _quoted(str(configs_folder)), "janus.jcfg")
    core = _replace_once(core, r'"@ADMIN_SECRET@"', _quoted(admin_secret), "janus.jcfg")
    core = _replace_once(core, r'"@SERVER_NAME@"', _quoted(server_name), "janus.jcfg")
    if api_secret:
        line = f"general: {{\n\tapi_secret = {_quoted(api_secret)}"
        core = _replace_once(core, r"^general: \{$", line, "janus.jcfg")
    if ice_enforce_list:
        line = f"nat: {{\n\tice_enforce_list = {_quoted(ice_enforce_list)}"
        core = _replace_once(core, r"^nat: \{$", line, "janus.jcfg")

    http = (TEMPLATES / "janus.transport.http.jcfg").read_text()
    http = _replace_once(http, r"^(\s*)port = 8088$", f"\tport = {port}", "janus.transport.http.jcfg")
    http = _replace_once(http, r"^(\s*)admin_port = 7088$", f"\tadmin_port = {admin_port}", "janus.transport.http.jcfg")

    videoroom = (TEMPLATES / "janus.plugin.videoroom.jcfg").read_text()
    videoroom = _replace_once(videoroom, r'"@ADMIN_KEY@"', _quoted(admin_key), "janus.plugin.videoroom.jcfg")
    return dict(zip(CONFIG_FILES, (core, http, videoroom), strict=True))


class JanusServer:
    """`with JanusServer() as janus: ...` — a real Janus, ready when entered, stopped (by its PID) on exit."""

    def __init__(self, *, ice_enforce_list: str = "", api_secret: str = "", start_timeout: float = 10.0) -> None:
        self.port = free_port()
        self.admin_port = free_port()
        while self.admin_port == self.port:
            self.admin_port = free_port()
        self.ice_enforce_list = ice_enforce_list
        self.api_secret = api_secret
        self.start_timeout = start_timeout
        self.server_name = f"prachum-test-{secrets.token_hex(4)}"
        self.admin_secret = secrets.token_urlsafe(16)
        self.admin_key = secrets.token_urlsafe(16)
        self.tmpdir = Path(tempfile.mkdtemp(prefix="prachum-janus-"))
        self.confdir = self.tmpdir / "conf"
        self.log_path = self.tmpdir / "janus.log"
        self.process: subprocess.Popen | None = None

    # -- addresses -------------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/janus"

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.admin_port}/admin"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # -- life cycle ------------------------------------------------------------------------------------------

    def write_config(self) -> None:
        self.confdir.mkdir(parents=True, exist_ok=True)
        files = render_config(
            configs_folder=self.confdir,
            admin_secret=self.admin_secret,
            admin_key=self.admin_key,
            server_name=self.server_name,
            port=self.port,
            admin_port=self.admin_port,
            ice_enforce_list=self.ice_enforce_list,
            api_secret=self.api_secret,
        )
        for name, text in files.items():
            (self.confdir / name).write_text(text)

    def start(self) -> JanusServer:
        if self.running:
            return self
        binary = shutil.which("janus")
        if not binary:
            raise RuntimeError("janus not found: install it (apt-get install janus)")
        self.write_config()
        self.process = subprocess.Popen(
            [binary, "-F", str(self.confdir), "-o", "-N", "-L", str(self.log_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=self.tmpdir,
        )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        with requests.Session() as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"janus exited with {self.process.returncode} while starting:\n{self.log_tail()}"
                    )
                try:
                    info = http.get(f"{self.base_url}/info", timeout=0.5).json()
                except (requests.RequestException, ValueError):
                    time.sleep(0.02)
                    continue
                if info.get("server-name") == self.server_name:
                    return
                time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"janus did not answer on {self.base_url} in {self.start_timeout} s:\n{self.log_tail()}")

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM our own PID and wait for it to exit (SIGKILL after `timeout` seconds)."""
        if not self.running:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL our own PID, as a crash would."""
        if not self.running:
            return
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def restart(self) -> JanusServer:
        """Stop and start again on the same ports (rooms do not survive: they are never permanent)."""
        self.stop()
        return self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def __enter__(self) -> JanusServer:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- talking to it directly (for tests and benchmarks: the raw floor, no portal code) --------------------

    def admin_message(self, request: dict, http: requests.Session | None = None) -> dict:
        """One Admin API `message_plugin` to the VideoRoom plugin; returns the plugin's `response`."""
        payload = {
            "janus": "message_plugin",
            "transaction": secrets.token_hex(6),
            "admin_secret": self.admin_secret,
            "plugin": VIDEOROOM,
            "request": request,
        }
        answer = (http or requests).post(self.admin_url, json=payload, timeout=5).json()
        if answer.get("janus") != "success":
            raise RuntimeError(f"janus admin error: {answer}")
        return answer["response"]

    def admin(self, what: str, **fields) -> dict:
        """One request of the Admin API proper (add_token, list_tokens, list_sessions, ...); its whole answer."""
        payload = {"janus": what, "transaction": secrets.token_hex(6), "admin_secret": self.admin_secret, **fields}
        answer = requests.post(self.admin_url, json=payload, timeout=5).json()
        if answer.get("janus") != "success":
            raise RuntimeError(f"janus admin error: {answer}")
        return answer

    def grant(self, token: str | None = None) -> str:
        """Add a token (VideoRoom only) as the portal does for a pass, and return it: for the tests' own raw
        clients, since every Janus here has token_auth on. Tokens do not survive a restart."""
        token = token or secrets.token_urlsafe(16)
        self.admin("add_token", token=token, plugins=[VIDEOROOM])
        return token

    def tokens(self) -> set[str]:
        return {entry["token"] for entry in self.admin("list_tokens")["data"]["tokens"]}

    def rooms(self) -> dict[int, dict]:
        """Every room, private ones included (the `list` request with the admin_key), by room id."""
        answer = self.admin_message({"request": "list", "admin_key": self.admin_key})
        return {room["room"]: room for room in answer["list"]}


def raw_create_destroy(server: JanusServer, n: int) -> float:
    """Seconds taken by `n` raw Admin-API room create + destroy pairs over one `requests.Session`.

    The floor the portal's provisioning is compared with: the same requests the backend sends, with no portal
    code around them. Room ids start high so they do not collide with rooms a test made.
    """
    base = 9_000_000_000 + secrets.randbelow(1_000_000) * 1000
    counter = itertools.count()
    with requests.Session() as http:

        def pair(room: int) -> None:
            created = server.admin_message(
                {
                    "request": "create",
                    "admin_key": server.admin_key,
                    "room": room,
                    "description": f"bench {room}",
                    "secret": "s",
                    "pin": "p",
                    "publishers": 6,
                    "is_private": True,
                    "permanent": False,
                },
                http,
            )
            if created.get("videoroom") != "created":
                raise RuntimeError(f"create failed: {created}")
            server.admin_message({"request": "destroy", "room": room, "secret": "s", "permanent": False}, http)

        pair(base + next(counter))  # warm-up: the timing does not include opening the connection
        started = time.perf_counter()
        for _ in range(n):
            pair(base + next(counter))
        return time.perf_counter() - started


class RawParticipant:
    """Someone in a VideoRoom through the plain Janus API, with no media: a `join` as publisher, then `leave`.

    Enough for `listparticipants`, pins, kicks and attendance; a real call needs a browser (tests/e2e).
    """

    def __init__(
        self, server: JanusServer, room: int, *, display: str, pin: str = "", token: str | None = None
    ) -> None:
        """`token`: the one its requests carry (token_auth); by default one added for it, as the portal adds a
        pass's; "" for none (an outsider)."""
        self.server = server
        self.room = room
        self.display = display
        self.pin = pin
        self.token = server.grant() if token is None else token
        self.http = requests.Session()
        self.session_id: int | None = None
        self.id: int | None = None  # the participant id Janus gave us, once joined

    def _post(self, path: str, payload: dict) -> dict:
        payload = {"transaction": secrets.token_hex(6), **payload}
        if self.token:  # as a browser: a token, never the api secret (the portal keeps that to itself)
            payload["token"] = self.token
        return self.http.post(f"{self.server.base_url}{path}", json=payload, timeout=5).json()

    def enter(self) -> RawParticipant:
        """Join the room, or raise JoinRefused with Janus's answer."""
        answer = self.join()
        if answer.get("videoroom") != "joined":
            raise JoinRefused(answer)
        return self

    def join(self) -> dict:
        """Join the room; returns the plugin's answer (`videoroom: joined`, or an `error_code`). Raises
        JoinRefused when Janus refuses the session itself (no valid token)."""
        created = self._post("", {"janus": "create"})
        if created.get("janus") != "success":
            raise JoinRefused(created)
        self.session_id = created["data"]["id"]
        handle = self._post(f"/{self.session_id}", {"janus": "attach", "plugin": VIDEOROOM})["data"]["id"]
        body = {"request": "join", "ptype": "publisher", "room": self.room, "display": self.display}
        if self.pin:
            body["pin"] = self.pin
        sent = self._post(f"/{self.session_id}/{handle}", {"janus": "message", "body": body})
        if sent.get("janus") != "ack":
            return (sent.get("plugindata") or {}).get("data") or sent
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            params = {"maxev": 10, "rid": int(time.time() * 1000)}
            if self.token:
                params["token"] = self.token
            events = self.http.get(f"{self.server.base_url}/{self.session_id}", params=params, timeout=35).json()
            for event in events if isinstance(events, list) else [events]:
                if event.get("transaction") == sent["transaction"] and "plugindata" in event:
                    data = event["plugindata"]["data"]
                    self.id = data.get("id")
                    return data
        raise RuntimeError(f"no answer to join in room {self.room}")

    def leave(self) -> None:
        if self.session_id is not None:
            with contextlib.suppress(requests.RequestException, ValueError):  # the server may be gone
                self._post(f"/{self.session_id}", {"janus": "destroy"})
            self.session_id = None
        self.http.close()

    def __enter__(self) -> RawParticipant:
        return self

    def __exit__(self, *exc: object) -> None:
        self.leave()


class JoinRefused(AssertionError):
    """Janus answered the VideoRoom join with an error (a wrong pin, no such room)."""

    def __init__(self, data: dict) -> None:
        super().__init__(f"Janus refused the join: {data}")
        self.data = data
