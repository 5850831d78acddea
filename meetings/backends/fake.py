"""An in-memory media server, for unit tests and for running the portal with no media server at all.

The rooms live in one process-global registry shared by every FakeBackend, with the same semantics as Janus:
create is idempotent, update of a missing room raises RoomNotFound, destroy of a missing room is a no-op, a
wrong secret is refused. `FakeBackend.down = True` makes every call fail as a server outage would. Never use
it to make an integration test pass: those run the real Janus.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from typing import ClassVar

from .base import (
    JoinTarget,
    MediaBackend,
    Participant,
    PermanentMediaError,
    RoomNotFound,
    RoomSpec,
    TemporaryMediaError,
)


class FakeBackend(MediaBackend):
    kind = "fake"
    keeps_tokens = True

    down: ClassVar[bool] = False
    _tokens: ClassVar[set[str]] = set()
    _rooms: ClassVar[dict[int, RoomSpec]] = {}
    _participants: ClassVar[dict[int, list[Participant]]] = {}
    _muted: ClassVar[set[tuple[int, str]]] = set()
    _lock: ClassVar[threading.RLock] = threading.RLock()

    def __init__(self, *, public_url: str = "fake://media", **_config: object) -> None:
        """Any other configuration (URLs, secrets) is accepted and ignored, so settings can switch kinds."""
        self.public_url = public_url

    # -- test helpers ----------------------------------------------------------------------------------------

    @classmethod
    def reset(cls) -> None:
        """Forget every room and participant; bring the server back up."""
        with cls._lock:
            cls._rooms.clear()
            cls._tokens.clear()
            cls._participants.clear()
            cls._muted.clear()
            cls.down = False

    @classmethod
    def set_participants(cls, room_id: int, participants: Iterable[Participant]) -> None:
        with cls._lock:
            cls._participants[room_id] = list(participants)

    @classmethod
    def rooms(cls) -> dict[int, RoomSpec]:
        """A copy of the rooms the fake server holds, by room id."""
        with cls._lock:
            return dict(cls._rooms)

    @classmethod
    def is_muted(cls, room_id: int, participant_id: str) -> bool:
        with cls._lock:
            return (room_id, participant_id) in cls._muted

    # -- the interface ---------------------------------------------------------------------------------------

    def create_room(self, spec: RoomSpec) -> None:
        self._check(spec.room_id)
        with self._lock:
            existing = self._rooms.get(spec.room_id)
            if existing is not None and existing.secret != spec.secret:
                raise PermanentMediaError(f"fake: room {spec.room_id} exists with another secret")
            self._rooms[spec.room_id] = spec

    def update_room(self, spec: RoomSpec) -> None:
        self._check(spec.room_id)
        with self._lock:
            self._authorised(spec)
            self._rooms[spec.room_id] = spec

    def destroy_room(self, spec: RoomSpec) -> None:
        self._check(spec.room_id)
        with self._lock:
            if spec.room_id not in self._rooms:
                return
            self._authorised(spec)
            del self._rooms[spec.room_id]
            self._participants.pop(spec.room_id, None)
            self._muted.difference_update({key for key in self._muted if key[0] == spec.room_id})

    def room_exists(self, room_id: int, name: str = "") -> bool:
        self._check(room_id)
        with self._lock:
            return room_id in self._rooms

    def participants(self, room_id: int, name: str = "") -> list[Participant]:
        self._check(room_id)
        with self._lock:
            if room_id not in self._rooms:
                return []
            return list(self._participants.get(room_id, []))

    def kick(self, spec: RoomSpec, participant_id: str) -> None:
        self._check(spec.room_id)
        with self._lock:
            if spec.room_id not in self._rooms:
                return
            self._authorised(spec)
            people = self._participants.get(spec.room_id, [])
            self._participants[spec.room_id] = [p for p in people if p.id != participant_id]

    def mute(self, spec: RoomSpec, participant_id: str) -> None:
        self._check(spec.room_id)
        with self._lock:
            if spec.room_id not in self._rooms:
                return
            self._authorised(spec)
            if any(p.id == participant_id for p in self._participants.get(spec.room_id, [])):
                self._muted.add((spec.room_id, participant_id))

    def tokens(self) -> set[str]:
        self._check(1)
        with self._lock:
            return set(self._tokens)

    def token_add(self, token: str) -> None:
        self._check(1)
        with self._lock:
            self._tokens.add(token)

    def token_remove(self, token: str) -> None:
        self._check(1)
        with self._lock:
            self._tokens.discard(token)

    def join_target(
        self, spec: RoomSpec, *, display: str, moderator: bool, user_id: str = "", expires: datetime | None = None,
        token: str = "",
    ) -> JoinTarget:
        self._check(spec.room_id)
        return JoinTarget(
            kind=self.kind,
            url=self.public_url,
            room_id=spec.room_id,
            room_name=spec.name,
            pin=spec.pin,
            display=display,
            moderator=moderator,
            token=token,
        )

    def health(self) -> bool:
        return not self.down

    # -- plumbing --------------------------------------------------------------------------------------------

    def _check(self, room_id: int) -> None:
        if self.down:
            raise TemporaryMediaError("fake media server is down")
        if isinstance(room_id, bool) or not isinstance(room_id, int) or room_id <= 0:
            raise ValueError(f"a room id must be a positive integer, not {room_id!r}")

    def _authorised(self, spec: RoomSpec) -> None:
        existing = self._rooms.get(spec.room_id)
        if existing is None:
            raise RoomNotFound(f"fake: no room {spec.room_id}")
        if existing.secret != spec.secret:
            raise PermanentMediaError(f"fake: wrong secret for room {spec.room_id}")
