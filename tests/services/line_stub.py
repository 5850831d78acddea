"""A stub of the LINE Messaging API push endpoint, faithful to its documented contract, on a free loopback port.

    POST /v2/bot/message/push
    Authorization: Bearer <channel access token>
    Content-Type: application/json
    X-Line-Retry-Key: <UUID>            (optional; the same key on every retry of one message)
    {"to": "<user U…, group C… or room R… id>", "messages": [{"type": "text", "text": "…"}, … up to 5]}

Answers, as developers.line.biz documents them:
- 200 `{"sentMessages": [{"id": "…", "quoteToken": "…"}]}` and an `x-line-request-id` header;
- 400 `{"message": "The request body has N error(s)", "details": [{"message", "property"}]}` for a bad body,
  or `{"message": "The value for the 'X-Line-Retry-Key' header is invalid"}`;
- 401 `{"message": "Authentication failed. …"}` without a valid Bearer token;
- 409 `{"message": "The retry key is already accepted", "sentMessages": […]}` with an
  `x-line-accepted-request-id` header when a request with the same retry key was accepted (keys live 24 hours);
- 429 `{"message": "The API rate limit has been exceeded. Try again later."}`;
- 500 `{"message": "Internal server error"}`.
`fail_next(status, count)` makes the next requests answer 429 or 500 without accepting them;
`accept_then_fail(count)` accepts the next requests and then answers 500, as when the answer is lost on the way
back (the case the retry key exists for). `pushes` holds what was accepted.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .ports import free_port

PUSH_PATH = "/v2/bot/message/push"
TO_PATTERN = re.compile(r"^[UCR][0-9a-f]{32}$")
RETRY_KEY_LIFETIME = 24 * 3600
MAX_MESSAGES = 5
TEXT_LIMIT = 5000
MESSAGES_BY_STATUS = {
    429: "The API rate limit has been exceeded. Try again later.",
    500: "Internal server error",
}


@dataclass
class Push:
    to: str
    messages: list[dict]
    retry_key: str
    request_id: str
    sent_messages: list[dict]
    at: float = field(default_factory=time.time)

    @property
    def text(self) -> str:
        return "\n".join(message.get("text", "") for message in self.messages)


def _body_errors(body: object) -> list[dict[str, str]]:
    """The `details` LINE would list for this request body (empty when valid)."""
    if not isinstance(body, dict):
        return [{"message": "must be an object", "property": ""}]
    errors = []
    to = body.get("to")
    if not isinstance(to, str) or not to:
        errors.append({"message": "May not be empty", "property": "to"})
    elif not TO_PATTERN.match(to):
        errors.append({"message": "Invalid user/group/room id", "property": "to"})
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        errors.append({"message": "Size must be between 1 and 5", "property": "messages"})
        return errors
    if len(messages) > MAX_MESSAGES:
        errors.append({"message": "Size must be between 1 and 5", "property": "messages"})
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("type") != "text":
            errors.append(
                {"message": "Must be one of the following values: [text]", "property": f"messages[{index}].type"}
            )
            continue
        text = message.get("text")
        if not isinstance(text, str) or not text:
            errors.append({"message": "May not be empty", "property": f"messages[{index}].text"})
        elif len(text) > TEXT_LIMIT:
            errors.append(
                {"message": f"Length must be between 0 and {TEXT_LIMIT}", "property": f"messages[{index}].text"}
            )
    return errors


class LineStub:
    """`with LineStub() as line:` — `line.base_url` for LINE_API_BASE, `line.token` for LINE_CHANNEL_ACCESS_TOKEN."""

    def __init__(self, *, token: str | None = None) -> None:
        self.port = free_port()
        self.token = token or secrets.token_urlsafe(32)
        self.lock = threading.Lock()
        self._pushes: list[Push] = []
        self._accepted_keys: dict[str, tuple[float, Push]] = {}
        self._fail: list[int] = []  # statuses to answer, one per request, before accepting again
        self._accept_then_fail = 0
        self.requests = 0
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pushes(self) -> list[Push]:
        with self.lock:
            return list(self._pushes)

    def fail_next(self, status: int, count: int = 1) -> None:
        """The next `count` requests answer `status` (429 or 5xx) and are not accepted."""
        with self.lock:
            self._fail.extend([status] * count)

    def accept_then_fail(self, count: int = 1) -> None:
        """The next `count` valid requests are accepted, but answered 500 (a lost answer)."""
        with self.lock:
            self._accept_then_fail += count

    def clear(self) -> None:
        with self.lock:
            self._pushes.clear()
            self._accepted_keys.clear()
            self._fail.clear()
            self._accept_then_fail = 0
            self.requests = 0

    # --- the HTTP side --------------------------------------------------------------------------------------

    def handle(self, *, path: str, headers, raw: bytes) -> tuple[int, dict, dict[str, str]]:
        """(status, JSON body, extra headers) for one request: the whole contract, without sockets."""
        with self.lock:
            self.requests += 1
        refused = self._refusal(path=path, headers=headers)
        if refused:
            return refused
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            return 400, {"message": "The request body could not be parsed as JSON"}, {}
        errors = _body_errors(body)
        if errors:
            return 400, {"message": f"The request body has {len(errors)} error(s)", "details": errors}, {}
        return self._accept(body, headers.get("X-Line-Retry-Key", ""))

    def _refusal(self, *, path: str, headers) -> tuple[int, dict, dict[str, str]] | None:
        """What LINE answers before it reads the body: the path, the token, the content type, the retry key."""
        if path != PUSH_PATH:
            return 404, {"message": "Not found"}, {}
        if headers.get("Authorization", "") != f"Bearer {self.token}":
            message = "Authentication failed. Confirm that the access token in the authorization header is valid."
            return 401, {"message": message}, {}
        if headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            return 415, {"message": "The request content type is not supported"}, {}
        retry_key = headers.get("X-Line-Retry-Key", "")
        if retry_key:
            try:
                uuid.UUID(retry_key)
            except ValueError:
                return 400, {"message": "The value for the 'X-Line-Retry-Key' header is invalid"}, {}
        return None

    def _accept(self, body: dict, retry_key: str) -> tuple[int, dict, dict[str, str]]:
        request_id = str(uuid.uuid4())
        with self.lock:
            if self._fail:
                status = self._fail.pop(0)
                return status, {"message": MESSAGES_BY_STATUS.get(status, "Error")}, {}
            now = time.time()
            earlier = self._accepted_keys.get(retry_key) if retry_key else None
            if earlier and now - earlier[0] < RETRY_KEY_LIFETIME:
                push = earlier[1]
                body = {"message": "The retry key is already accepted", "sentMessages": push.sent_messages}
                return 409, body, {"x-line-accepted-request-id": push.request_id}
            sent = [
                {"id": str(secrets.randbelow(10**18)), "quoteToken": secrets.token_urlsafe(24)}
                for _ in body["messages"]
            ]
            push = Push(body["to"], body["messages"], retry_key, request_id, sent)
            self._pushes.append(push)
            if retry_key:
                self._accepted_keys[retry_key] = (now, push)
            if self._accept_then_fail:
                self._accept_then_fail -= 1
                return 500, {"message": MESSAGES_BY_STATUS[500]}, {}
        return 200, {"sentMessages": sent}, {"x-line-request-id": request_id}

    def start(self) -> LineStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, body, extra = stub.handle(path=self.path, headers=self.headers, raw=raw)
                self._answer(status, body, extra)

            def do_GET(self) -> None:
                self._answer(404 if self.path != PUSH_PATH else 405, {"message": "Not found"}, {})

            def _answer(self, status: int, body: dict, extra: dict[str, str]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="line-stub", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self) -> LineStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
