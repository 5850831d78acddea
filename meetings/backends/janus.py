"""Janus Gateway, VideoRoom plugin, over its HTTP API (see MEDIA.md).

Every operation is one HTTP round trip: by default the Admin API's `message_plugin` (no session needed). When
no `admin_url` is given (a Janus on another machine, whose Admin API stays on its own loopback), the backend
falls back to the Janus API proper: one long-lived session and handle, re-created when Janus forgets them.

Rooms are always created with `permanent: false` and `is_private: true`: they vanish when Janus restarts, and
the portal re-creates them (`room_exists` tells it).

Every Janus prachum configures has `token_auth` on: a browser opens a session only with a token the portal added
through the Admin API (`token_add`, for the VideoRoom plugin alone), and loses it when the portal removes it.
Stored tokens live in Janus's memory, like its rooms: the portal adds them again after a restart.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Iterable
from datetime import datetime

import requests

from .base import (
    JoinTarget,
    MediaBackend,
    Participant,
    PermanentMediaError,
    RoomNotFound,
    RoomSpec,
    TemporaryMediaError,
)

VIDEOROOM = "janus.plugin.videoroom"

# VideoRoom plugin error codes (janus_videoroom.c) the backend treats specially.
NO_SUCH_ROOM = 426
ROOM_EXISTS = 427
NO_SUCH_FEED = 428  # no such participant, or no such stream (mid) of that participant
# Janus core error on remove_token for a token it does not hold ("Error removing token", measured on 1.1.2).
TOKEN_NOT_REMOVED = 490
# Janus core error codes meaning "your session or handle is gone": safe to re-create them and send again.
SESSION_GONE = frozenset({458, 459})

# Browsers (janus.js) handle ids as JavaScript numbers: keep room ids exact there.
MAX_ROOM_ID = 2**53 - 1


def check_room_id(room_id: int) -> int:
    """Janus reads room 0 (or no room) as "pick a random id": never send it."""
    if isinstance(room_id, bool) or not isinstance(room_id, int) or not 0 < room_id <= MAX_ROOM_ID:
        raise ValueError(f"a Janus room id must be an integer between 1 and 2**53-1, not {room_id!r}")
    return room_id


class _SessionGone(Exception):
    """Internal: Janus no longer knows our session or handle (it timed out, or Janus restarted)."""


class JanusBackend(MediaBackend):
    kind = "janus"
    keeps_tokens = True

    def __init__(
        self,
        *,
        base_url: str,
        admin_url: str = "",
        admin_secret: str = "",
        admin_key: str = "",
        api_secret: str = "",
        timeout: float = 5.0,
        public_url: str = "",
        mute_mids: Iterable[str] = ("0", "1"),
    ) -> None:
        if admin_url and not admin_secret:
            raise ValueError("the Janus Admin API needs admin_secret")
        self.base_url = base_url.rstrip("/")
        self.admin_url = admin_url.rstrip("/")
        self.admin_secret = admin_secret
        self.admin_key = admin_key
        self.api_secret = api_secret
        self.timeout = timeout
        self.public_url = public_url or self.base_url
        self.mute_mids = tuple(mute_mids)
        self._http = requests.Session()
        # Media servers are reached directly, never through a proxy named in the environment (which requests
        # would otherwise look up on every call).
        self._http.trust_env = False
        self._lock = threading.Lock()
        self._handle_path = ""  # "<session>/<handle>" when using the Janus API instead of the Admin API

    def __repr__(self) -> str:
        return f"JanusBackend(base_url={self.base_url!r}, admin_url={self.admin_url!r})"

    # -- rooms -----------------------------------------------------------------------------------------------

    def create_room(self, spec: RoomSpec) -> None:
        request = {
            "request": "create",
            "room": check_room_id(spec.room_id),
            "description": spec.description,
            "is_private": True,
            "permanent": False,
        }
        if self.admin_key:
            request["admin_key"] = self.admin_key
        if spec.secret:
            request["secret"] = spec.secret
        if spec.pin:
            request["pin"] = spec.pin
        if spec.max_publishers > 0:
            request["publishers"] = spec.max_publishers
        answer = self._videoroom(request, tolerate=(ROOM_EXISTS,))
        if answer.get("error_code") == ROOM_EXISTS:
            # Created before (a retried task): make it what the portal wants now.
            self.update_room(spec)

    def update_room(self, spec: RoomSpec) -> None:
        request = {
            "request": "edit",
            "room": check_room_id(spec.room_id),
            "new_description": spec.description,
            "new_is_private": True,
            "permanent": False,
        }
        if spec.secret:
            request["secret"] = spec.secret
        if spec.max_publishers > 0:
            request["new_publishers"] = spec.max_publishers
        if spec.pin:
            request["new_pin"] = spec.pin
        elif self._pin_required(spec.room_id):
            # Janus 1.1 ignores an empty `new_pin`: a pin can be changed but never removed by `edit`.
            raise PermanentMediaError(
                f"Janus cannot remove the pin of room {spec.room_id}: destroy and re-create the room"
            )
        self._videoroom(request)

    def destroy_room(self, spec: RoomSpec) -> None:
        request = {"request": "destroy", "room": check_room_id(spec.room_id), "permanent": False}
        if spec.secret:
            request["secret"] = spec.secret
        self._videoroom(request, tolerate=(NO_SUCH_ROOM,))

    def room_exists(self, room_id: int, name: str = "") -> bool:
        answer = self._videoroom({"request": "exists", "room": check_room_id(room_id)})
        return bool(answer.get("exists"))

    def participants(self, room_id: int, name: str = "") -> list[Participant]:
        """Who is in the room; an empty list when the room does not exist (as with Jitsi). With the Admin API,
        each participant's `holder` is the token its session was opened with (which it cannot choose)."""
        answer = self._videoroom(
            {"request": "listparticipants", "room": check_room_id(room_id)}, tolerate=(NO_SUCH_ROOM,)
        )
        people = answer.get("participants", [])
        holders = self._holders(room_id) if people and self.admin_url else {}
        return [
            Participant(
                id=str(p["id"]), display=p.get("display", ""), publisher=bool(p.get("publisher")),
                holder=holders.get(str(p["id"]), ""),
            )
            for p in people
        ]

    def _holders(self, room_id: int) -> dict[str, str]:
        """participant id -> the token of the session that joined room `room_id` as that participant, read from
        the Admin API (list_sessions, list_handles, handle_info). A session or handle that ends while it is read
        is skipped: it has left."""
        holders: dict[str, str] = {}
        for session in self._admin("list_sessions").get("sessions") or []:
            try:
                handles = self._admin("list_handles", f"/{int(session)}").get("handles") or []
            except _SessionGone:
                continue
            for handle in handles:
                try:
                    info = self._admin("handle_info", f"/{int(session)}/{int(handle)}").get("info") or {}
                except _SessionGone:
                    continue
                joined = info.get("plugin_specific") or {}
                if info.get("plugin") == VIDEOROOM and joined.get("type") == "publisher" and (
                    joined.get("room") == room_id
                ):
                    holders[str(joined.get("id"))] = str(info.get("token") or "")
        return holders

    # -- tokens (token_auth) ---------------------------------------------------------------------------------

    def tokens(self) -> set[str]:
        answer = self._admin("list_tokens")
        return {str(entry.get("token")) for entry in (answer.get("data") or {}).get("tokens") or []}

    def token_add(self, token: str) -> None:
        self._admin("add_token", token=_token(token), plugins=[VIDEOROOM])

    def token_remove(self, token: str) -> None:
        try:
            self._admin("remove_token", token=_token(token))
        except PermanentMediaError as error:
            if getattr(error, "code", None) != TOKEN_NOT_REMOVED:  # 490: Janus does not hold it (gone already)
                raise

    def kick(self, spec: RoomSpec, participant_id: str) -> None:
        """Remove someone from the room. A participant (or room) already gone is not an error."""
        request = {"request": "kick", "room": check_room_id(spec.room_id), "id": _participant_id(participant_id)}
        if spec.secret:
            request["secret"] = spec.secret
        self._videoroom(request, tolerate=(NO_SUCH_ROOM, NO_SUCH_FEED))

    def mute(self, spec: RoomSpec, participant_id: str, *, mids: Iterable[str] | None = None) -> None:
        """Block what a participant sends (Janus 1.x `moderate`, one request per m-line `mid`).

        Janus 1.x moderates per stream, and `listparticipants` does not report a participant's streams: the mids
        are those prachum's join page publishes (`mute_mids`, audio "0" then video "1"). A mid the participant
        does not send, or a participant already gone, is skipped.
        """
        room_id = check_room_id(spec.room_id)
        feed = _participant_id(participant_id)
        for mid in self.mute_mids if mids is None else mids:
            request = {"request": "moderate", "room": room_id, "id": feed, "mid": str(mid), "mute": True}
            if spec.secret:
                request["secret"] = spec.secret
            self._videoroom(request, tolerate=(NO_SUCH_ROOM, NO_SUCH_FEED))

    def set_recording(self, spec: RoomSpec, *, record: bool, rec_dir: str = "") -> None:
        """Switch the room's recording on or off (VideoRoom `enable_recording`, with the room's secret). With
        `rec_dir` (a path on the Janus machine), the room records there from now on (`edit` with `new_rec_dir`
        first). Janus then writes one .mjr file per stream of every publisher, and of those who join later."""
        room_id = check_room_id(spec.room_id)
        if record and rec_dir:
            edit = {"request": "edit", "room": room_id, "new_rec_dir": rec_dir, "permanent": False}
            if spec.secret:
                edit["secret"] = spec.secret
            self._videoroom(edit)
        request = {"request": "enable_recording", "room": room_id, "record": bool(record)}
        if spec.secret:
            request["secret"] = spec.secret
        self._videoroom(request)

    def room_recording(self, room_id: int) -> bool | None:
        """Whether the room records now (`list` with the admin_key); None when it cannot be told (no admin_key)
        or the room does not exist (a restarted Janus forgets its rooms, and so their recording)."""
        if not self.admin_key:
            return None
        rooms = self._videoroom({"request": "list", "admin_key": self.admin_key}).get("list", [])
        room = next((r for r in rooms if r.get("room") == check_room_id(room_id)), None)
        return None if room is None else bool(room.get("record"))

    def join_target(
        self, spec: RoomSpec, *, display: str, moderator: bool, user_id: str = "", expires: datetime | None = None,
        token: str = "",
    ) -> JoinTarget:
        return JoinTarget(
            kind=self.kind,
            url=self.public_url,
            room_id=check_room_id(spec.room_id),
            room_name=spec.name,
            pin=spec.pin,
            display=display,
            moderator=moderator,
            token=token,
        )

    def health(self) -> bool:
        try:
            response = self._http.get(f"{self.base_url}/info", timeout=min(self.timeout, 2.0))
            return response.status_code == 200 and response.json().get("janus") == "server_info"
        except (requests.RequestException, ValueError):
            return False

    def close(self) -> None:
        """Release the HTTP connections (and the Janus session, if one was opened)."""
        with self._lock:
            if self._handle_path:
                session = self._handle_path.split("/")[0]
                with contextlib.suppress(TemporaryMediaError, PermanentMediaError, _SessionGone):
                    self._post(f"{self.base_url}/{session}", {"janus": "destroy"})
                self._handle_path = ""
        self._http.close()

    # -- plumbing --------------------------------------------------------------------------------------------

    def _pin_required(self, room_id: int) -> bool:
        if not self.admin_key:
            return False  # private rooms are listed only with the admin_key: cannot tell
        rooms = self._videoroom({"request": "list", "admin_key": self.admin_key}).get("list", [])
        return any(room.get("room") == room_id and room.get("pin_required") for room in rooms)

    def _admin(self, what: str, path: str = "", **fields) -> dict:
        """One request of the Admin API proper (tokens, sessions): the answer, or the mapped error."""
        if not self.admin_url:
            raise PermanentMediaError(f"Janus {what!r} needs the Admin API (admin_url and its secret)")
        return self._post(
            f"{self.admin_url}{path}", {"janus": what, "admin_secret": self.admin_secret, **fields}, admin=True
        )

    def _videoroom(self, request: dict, tolerate: Iterable[int] = ()) -> dict:
        """Send one synchronous VideoRoom request; return its answer, or raise the mapped error.

        An answer whose `error_code` is in `tolerate` is returned for the caller to handle.
        """
        if self.admin_url:
            answer = self._post(
                self.admin_url,
                {"janus": "message_plugin", "admin_secret": self.admin_secret, "plugin": VIDEOROOM, "request": request},
                admin=True,
            )
            data = answer.get("response")
        else:
            answer = self._via_session(request)
            data = (answer.get("plugindata") or {}).get("data")
        if not isinstance(data, dict):
            raise PermanentMediaError(f"unexpected answer from Janus to {request.get('request')!r}: {answer!r}")
        code = data.get("error_code")
        if code is None or code in tolerate:
            return data
        message = f"Janus VideoRoom error {code} on {request.get('request')!r}: {data.get('error', '')}"
        if code == NO_SUCH_ROOM:
            raise RoomNotFound(message)
        raise PermanentMediaError(message)

    def _via_session(self, request: dict) -> dict:
        """The Janus API route: `message` on our handle; a forgotten session is re-created once."""
        for attempt in (1, 2):
            path = self._ensure_handle()
            try:
                return self._post(f"{self.base_url}/{path}", {"janus": "message", "body": request})
            except _SessionGone:
                with self._lock:
                    if self._handle_path == path:
                        self._handle_path = ""
                if attempt == 2:
                    raise TemporaryMediaError("Janus keeps forgetting our session") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _ensure_handle(self) -> str:
        with self._lock:
            if not self._handle_path:
                try:
                    session = self._post(self.base_url, {"janus": "create"})["data"]["id"]
                    attached = self._post(f"{self.base_url}/{session}", {"janus": "attach", "plugin": VIDEOROOM})
                    handle = attached["data"]["id"]
                except _SessionGone as exc:  # Janus restarted between the two calls
                    raise TemporaryMediaError("Janus lost the session it just created") from exc
                except (KeyError, TypeError) as exc:
                    raise PermanentMediaError("unexpected answer from Janus to create/attach") from exc
                self._handle_path = f"{session}/{handle}"
            return self._handle_path

    def _post(self, url: str, payload: dict, *, admin: bool = False) -> dict:
        """POST one Janus request; return the JSON answer, or raise a Temporary/Permanent error."""
        payload["transaction"] = secrets.token_hex(6)
        if self.api_secret and not admin:
            payload["apisecret"] = self.api_secret
        what = (payload.get("request") or payload.get("body") or {}).get("request") or payload["janus"]
        try:
            response = self._http.post(url, json=payload, timeout=self.timeout)
        except requests.Timeout as exc:
            raise TemporaryMediaError(f"Janus at {url} did not answer {what!r} within {self.timeout} s") from exc
        except requests.RequestException as exc:
            raise TemporaryMediaError(f"cannot reach Janus at {url}: {exc}") from exc
        if response.status_code >= 500:
            raise TemporaryMediaError(f"Janus at {url} answered HTTP {response.status_code} to {what!r}")
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise PermanentMediaError(
                f"Janus at {url} answered HTTP {response.status_code} with no JSON object to {what!r}"
            )
        if answer.get("janus") == "error":
            error = answer.get("error") or {}
            code = error.get("code")
            if code in SESSION_GONE:
                raise _SessionGone(code)
            failure = PermanentMediaError(f"Janus error {code} on {what!r}: {error.get('reason', '')}")
            failure.code = code
            raise failure
        if response.status_code >= 400:
            raise PermanentMediaError(f"Janus at {url} answered HTTP {response.status_code} to {what!r}")
        return answer


def _token(token: str) -> str:
    """A token as the portal makes them (URL-safe, not empty): anything else is a bug, not something to send."""
    if not token or len(token) > 128 or not all(char.isalnum() or char in "-_" for char in token):
        raise ValueError("a Janus token must be 1-128 URL-safe characters")
    return token


def _participant_id(participant_id: str) -> int:
    try:
        return int(participant_id)
    except (TypeError, ValueError):
        raise PermanentMediaError(f"{participant_id!r} is not a Janus participant id") from None
