"""The interface every media-server client implements.

A backend knows nothing of Django models: it takes plain values and returns plain values. The portal decides
what a room is called and which secrets it has; a backend only talks to its server.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import datetime


class MediaServerError(Exception):
    """Something went wrong talking to a media server."""


class TemporaryMediaError(MediaServerError):
    """Worth retrying later: the server is down, slow, or answered 5xx."""


class PermanentMediaError(MediaServerError):
    """Retrying the same request will not help: bad request, wrong secret, refused."""


class RoomNotFound(PermanentMediaError):
    """The room does not exist on the server."""


@dataclass(frozen=True)
class RoomSpec:
    """What the portal wants a room to be."""

    room_id: int  # > 0; Janus room number. Jitsi uses `name`.
    name: str  # lower-case room name (Jitsi) / stable label
    description: str
    pin: str  # what participants must present to join
    secret: str  # what the portal must present to edit or destroy the room
    max_publishers: int  # how many sites may send video at once


@dataclass(frozen=True)
class Participant:
    """Someone in a room, as the media server reports them."""

    id: str
    display: str
    publisher: bool = False


@dataclass(frozen=True)
class JoinTarget:
    """What a browser needs to enter a room. Never holds the room's secret."""

    kind: str  # "janus" or "jitsi"
    url: str  # the media server's URL for the browser (Janus REST base, or the Jitsi join URL with its JWT)
    room_id: int
    room_name: str
    pin: str = ""
    display: str = ""
    moderator: bool = False
    extra: dict = field(default_factory=dict)


class MediaBackend(abc.ABC):
    """A client of one media server.

    Every method is safe to call twice with the same arguments: create on an existing room with the same id
    updates it, destroy on a missing room is a no-op. Errors are TemporaryMediaError (retry) or
    PermanentMediaError (do not).
    """

    kind: str = ""

    @abc.abstractmethod
    def create_room(self, spec: RoomSpec) -> None: ...

    @abc.abstractmethod
    def update_room(self, spec: RoomSpec) -> None: ...

    @abc.abstractmethod
    def destroy_room(self, spec: RoomSpec) -> None: ...

    @abc.abstractmethod
    def room_exists(self, room_id: int, name: str = "") -> bool: ...

    @abc.abstractmethod
    def participants(self, room_id: int, name: str = "") -> list[Participant]: ...

    @abc.abstractmethod
    def join_target(
        self, spec: RoomSpec, *, display: str, moderator: bool, user_id: str = "", expires: datetime | None = None
    ) -> JoinTarget:
        """What a browser needs to enter the room; `expires`: no credential in it outlives this moment."""

    @abc.abstractmethod
    def health(self) -> bool:
        """True when the server answers."""

    def kick(self, spec: RoomSpec, participant_id: str) -> None:  # pragma: no cover - optional
        raise PermanentMediaError(f"{self.kind} cannot remove a participant")

    def mute(self, spec: RoomSpec, participant_id: str) -> None:  # pragma: no cover - optional
        raise PermanentMediaError(f"{self.kind} cannot mute a participant")
