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

    code: int | None = None  # the server's own error code, when it gave one


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
    # Who the server says opened this connection, which the participant cannot choose: for Janus the token its
    # session was opened with (the Admin API's handle_info), for Jitsi the identity signed into its JWT. "" when
    # the server does not say. Attendance counts a participant for the site whose pass holds it, never by name.
    holder: str = ""


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
    token: str = ""  # Janus: the token the browser sends with every request (token_auth); "" elsewhere
    extra: dict = field(default_factory=dict)


class MediaBackend(abc.ABC):
    """A client of one media server.

    Every method is safe to call twice with the same arguments: create on an existing room with the same id
    updates it, destroy on a missing room is a no-op. Errors are TemporaryMediaError (retry) or
    PermanentMediaError (do not).
    """

    kind: str = ""
    # True for servers that make a room when the first person joins (Jitsi): an empty room reads as missing, and
    # the portal must not take that for a room the server lost.
    rooms_on_demand: bool = False

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
        self, spec: RoomSpec, *, display: str, moderator: bool, user_id: str = "", expires: datetime | None = None,
        token: str = "",
    ) -> JoinTarget:
        """What a browser needs to enter the room; `expires`: no credential in it outlives this moment; `token`:
        the pass's token, for a server that keeps tokens (the portal adds it there while the pass may be used)."""

    @abc.abstractmethod
    def health(self) -> bool:
        """True when the server answers."""

    # -- tokens: who may open a session on the server at all (Janus token_auth) -------------------------------
    # A server that keeps tokens lets a browser in only with one the portal added; the others (Jitsi, whose
    # JWTs carry their own expiry) keep none, and the portal does not call the three methods below for them.

    keeps_tokens: bool = False

    def tokens(self) -> set[str]:  # pragma: no cover - only for servers that keep tokens
        """The tokens the server accepts now."""
        raise PermanentMediaError(f"{self.kind} keeps no tokens")

    def token_add(self, token: str) -> None:  # pragma: no cover - only for servers that keep tokens
        """Let a browser holding `token` in (to the VideoRoom plugin alone). Adding it twice is harmless."""
        raise PermanentMediaError(f"{self.kind} keeps no tokens")

    def token_remove(self, token: str) -> None:  # pragma: no cover - only for servers that keep tokens
        """Stop `token` from working: every later request with it is refused. A token already gone is fine."""
        raise PermanentMediaError(f"{self.kind} keeps no tokens")

    def kick(self, spec: RoomSpec, participant_id: str) -> None:  # pragma: no cover - optional
        raise PermanentMediaError(f"{self.kind} cannot remove a participant")

    def mute(self, spec: RoomSpec, participant_id: str) -> None:  # pragma: no cover - optional
        raise PermanentMediaError(f"{self.kind} cannot mute a participant")

    def set_recording(self, spec: RoomSpec, *, record: bool, rec_dir: str = "") -> None:  # pragma: no cover
        """Switch the room's recording on or off, into `rec_dir` on the media server (Janus VideoRoom)."""
        raise PermanentMediaError(f"{self.kind} cannot record a room")
