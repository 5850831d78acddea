"""Jitsi Meet: signed join tokens, the reservation API answers, and who is in a room (see MEDIA.md).

Jitsi creates a room when the first person joins, so there is nothing to create, change or destroy on the
server: the portal controls rooms with the tokens it signs (Prosody `authentication = "token"`) and by acting
as Prosody's reservation server (`mod_reservations` asks prachum's `/conference` whether a room may start).
The functions at the bottom turn a meeting's plain values into the JSON that API expects, and parse what
Prosody sends; the Django view around them lives elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
import requests

from .base import (
    JoinTarget,
    MediaBackend,
    Participant,
    PermanentMediaError,
    RoomSpec,
    TemporaryMediaError,
)

# A room name becomes a JID node and a URL path segment: keep it to what is safe in both.
ROOM_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,127}")


def room_name(name: str) -> str:
    """The lower-case Jitsi room name; ValueError if it is not safe as a JID node and URL path."""
    lowered = (name or "").strip().lower()
    if not ROOM_NAME.fullmatch(lowered):
        raise ValueError(f"{name!r} is not a valid Jitsi room name (a-z, 0-9, '.', '_', '-'; at most 128)")
    return lowered


def _epoch(moment: datetime | float) -> int:
    if isinstance(moment, datetime):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("token times must be timezone-aware datetimes")
        return int(moment.timestamp())
    return int(moment)


class JitsiBackend(MediaBackend):
    kind = "jitsi"
    rooms_on_demand = True  # a room exists only while someone is in it: nothing to re-create when it is "gone"

    def __init__(
        self,
        *,
        domain: str,
        app_id: str,
        app_secret: str,
        audience: str = "jitsi",
        subject: str = "",
        base_url: str = "",
        muc_size_url: str = "",
        muc_size_token: bool = False,
        timeout: float = 5.0,
        token_lifetime: timedelta = timedelta(hours=4),
    ) -> None:
        if not app_secret:
            raise ValueError("Jitsi tokens need app_secret")
        self.domain = domain
        self.app_id = app_id
        self.app_secret = app_secret
        self.audience = audience
        self.subject = subject or domain or "*"
        self.base_url = (base_url or f"https://{domain}").rstrip("/")
        self.muc_size_url = (muc_size_url or self.base_url).rstrip("/")
        self.muc_size_token = muc_size_token
        self.timeout = timeout
        self.token_lifetime = token_lifetime
        self._http = requests.Session()
        # Media servers are reached directly, never through a proxy named in the environment (which requests
        # would otherwise look up on every call).
        self._http.trust_env = False

    def __repr__(self) -> str:
        return f"JitsiBackend(domain={self.domain!r}, base_url={self.base_url!r})"

    # -- tokens ----------------------------------------------------------------------------------------------

    def issue_token(
        self,
        *,
        room: str,
        display: str,
        user_id: str,
        email: str = "",
        moderator: bool,
        not_before: datetime | float,
        expires: datetime | float,
    ) -> str:
        """An HS256 JWT Prosody's token authentication accepts for `room` between `not_before` and `expires`."""
        nbf, exp = _epoch(not_before), _epoch(expires)
        if exp <= nbf:
            raise ValueError("a token must expire after it becomes valid")
        user = {"id": str(user_id), "name": display, "email": email, "avatar": ""}
        if moderator:
            user["moderator"] = "true"
        claims = {
            "iss": self.app_id,
            "aud": self.audience,
            "sub": self.subject,
            "room": "*" if room == "*" else room_name(room),
            "nbf": nbf,
            "exp": exp,
            "context": {"user": user},
        }
        return jwt.encode(claims, self.app_secret, algorithm="HS256")

    def join_target(
        self, spec: RoomSpec, *, display: str, moderator: bool, user_id: str = "", expires: datetime | None = None,
        token: str = "",
    ) -> JoinTarget:
        name = room_name(spec.name)
        now = datetime.now(tz=UTC)
        not_before = now - timedelta(minutes=1)  # Prosody allows no leeway: tolerate a slow clock here
        # At most token_lifetime from now, and never past `expires` (the meeting's end and a short grace).
        until = min(now + self.token_lifetime, expires) if expires is not None else now + self.token_lifetime
        if until <= now:
            raise PermanentMediaError("the meeting is over: no token is issued for it")
        token = self.issue_token(
            room=name,
            display=display,
            user_id=user_id,
            # Prosody stamps the JWT's identity on the occupant (the client cannot change it): /room reports it
            # as the email, and the portal reads the holder from it (`participants`).
            email=f"{user_id}@{HOLDER_DOMAIN}" if user_id else "",
            moderator=moderator,
            not_before=not_before,
            expires=until,
        )
        return JoinTarget(
            kind=self.kind,
            url=f"{self.base_url}/{name}?jwt={token}",
            room_id=spec.room_id,
            room_name=name,
            pin=spec.pin,
            display=display,
            moderator=moderator,
        )

    # -- rooms: Jitsi makes them when the first person joins --------------------------------------------------

    def create_room(self, spec: RoomSpec) -> None:
        room_name(spec.name)

    def update_room(self, spec: RoomSpec) -> None:
        room_name(spec.name)

    def destroy_room(self, spec: RoomSpec) -> None:
        room_name(spec.name)

    def room_exists(self, room_id: int, name: str = "") -> bool:
        return self._muc_size("/room-size", name) is not None

    def participants(self, room_id: int, name: str = "") -> list[Participant]:
        """Who is in the room (empty when nobody has opened it). Jitsi does not say who sends media."""
        occupants = self._muc_size("/room", name)
        if occupants is None:
            return []
        if not isinstance(occupants, list):
            raise PermanentMediaError(f"unexpected answer from mod_muc_size /room: {occupants!r}")
        return [
            Participant(
                id=str(o.get("jid", "")), display=str(o.get("display_name") or ""), holder=_holder(o.get("email")),
            )
            for o in occupants
            if isinstance(o, dict)
        ]

    def health(self) -> bool:
        """True when Prosody's HTTP answers the room-size endpoint (a 404 for a room nobody is in is fine)."""
        try:
            response = self._http.get(
                f"{self.muc_size_url}/room-size",
                params={"room": "prachum-health", "domain": self.domain},
                timeout=min(self.timeout, 2.0),
            )
        except requests.RequestException:
            return False
        return response.status_code < 500

    def close(self) -> None:
        self._http.close()

    # -- plumbing --------------------------------------------------------------------------------------------

    def _muc_size(self, path: str, name: str) -> object | None:
        """GET a mod_muc_size endpoint for room `name`: its JSON, or None when the room does not exist (404)."""
        name = room_name(name)
        params = {"room": name, "domain": self.domain}
        if self.muc_size_token:
            now = datetime.now(tz=UTC)
            params["token"] = self.issue_token(
                room=name,
                display="prachum",
                user_id="prachum",
                moderator=False,
                not_before=now - timedelta(minutes=1),
                expires=now + timedelta(minutes=5),
            )
        url = f"{self.muc_size_url}{path}"
        try:
            response = self._http.get(url, params=params, timeout=self.timeout)
        except requests.Timeout as exc:
            raise TemporaryMediaError(f"Jitsi at {url} did not answer within {self.timeout} s") from exc
        except requests.RequestException as exc:
            raise TemporaryMediaError(f"cannot reach Jitsi at {url}: {exc}") from exc
        if response.status_code == 404:
            return None
        if response.status_code >= 500:
            raise TemporaryMediaError(f"Jitsi at {url} answered HTTP {response.status_code}")
        if response.status_code >= 400:
            raise PermanentMediaError(f"Jitsi at {url} refused with HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError as exc:
            raise PermanentMediaError(f"Jitsi at {url} answered something that is not JSON") from exc


# -- the reservation API (Prosody mod_reservations calls the portal) ----------------------------------------

START_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z")


class ReservationError(ValueError):
    """What Prosody sent cannot be understood; answer 400 with `refusal_answer(str(error))`."""


def format_start_time(moment: datetime) -> str:
    """`yyyy-MM-ddTHH:mm:ss.SSSZ` in UTC, as mod_reservations writes and reads it."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("start_time must be a timezone-aware datetime")
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def parse_start_time(value: str) -> datetime:
    """The aware UTC datetime of a `yyyy-MM-ddTHH:mm:ss.SSSZ` string; ReservationError if it is anything else."""
    match = START_TIME.fullmatch(value or "")
    if not match:
        raise ReservationError(f"start_time {value!r} is not yyyy-MM-ddTHH:mm:ss.SSSZ")
    year, month, day, hour, minute, second, millis = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, millis * 1000, tzinfo=UTC)
    except ValueError as exc:
        raise ReservationError(f"start_time {value!r} is not a real moment: {exc}") from exc


@dataclass(frozen=True)
class ConferenceRequest:
    """What Prosody asks when the first person opens a room (`POST <prefix>/conference`, form-encoded)."""

    name: str  # lower-case room name
    start_time: datetime  # aware, UTC
    mail_owner: str  # may be empty: Prosody sends it only when it knows the owner's address


def parse_conference_request(form: Mapping[str, str]) -> ConferenceRequest:
    """Validate Prosody's form (`name`, `start_time`, `mail_owner`); ReservationError on anything wrong."""
    try:
        name = room_name(form.get("name") or "")
    except ValueError as exc:
        raise ReservationError(str(exc)) from exc
    if not form.get("start_time"):
        raise ReservationError("start_time is missing")
    return ConferenceRequest(
        name=name,
        start_time=parse_start_time(form["start_time"]),
        mail_owner=(form.get("mail_owner") or "").strip(),
    )


@dataclass(frozen=True)
class Reservation:
    """A portal meeting as Prosody's reservation API sees it."""

    id: int
    name: str
    mail_owner: str
    start_time: datetime  # aware
    duration: int  # seconds
    max_occupants: int | None = None

    def as_json(self) -> dict:
        """The 200 answer mod_reservations accepts (same room name it asked about)."""
        if self.duration <= 0:
            raise ValueError("a reservation lasts a positive number of seconds")
        answer = {
            # A string: mod_reservations builds the DELETE URL from it, and a JSON number may come back as
            # "364758328.0" in Lua 5.3 and later.
            "id": str(self.id),
            "name": room_name(self.name),
            "mail_owner": self.mail_owner,
            "start_time": format_start_time(self.start_time),
            "duration": int(self.duration),
        }
        if self.max_occupants is not None:
            if self.max_occupants <= 0:
                raise ValueError("max_occupants must be positive")
            answer["max_occupants"] = int(self.max_occupants)
        return answer


def reservation_answer(
    *,
    reservation_id: int,
    name: str,
    mail_owner: str,
    start_time: datetime,
    duration: int | timedelta,
    max_occupants: int | None = None,
) -> dict:
    """The JSON body of the 200 answer to `POST /conference` (and of `GET /conference/<id>`)."""
    seconds = int(duration.total_seconds()) if isinstance(duration, timedelta) else int(duration)
    return Reservation(
        id=reservation_id,
        name=name,
        mail_owner=mail_owner,
        start_time=start_time,
        duration=seconds,
        max_occupants=max_occupants,
    ).as_json()


def conflict_answer(reservation_id: int) -> dict:
    """The body of a 409 answer: Prosody then asks `GET /conference/<conflict_id>`."""
    return {"conflict_id": str(reservation_id)}


def refusal_answer(message: str) -> dict:
    """The body of a 4xx answer (not 409) refusing the room; Prosody shows `message`."""
    return {"message": message}


# The domain of the identity the portal signs into a join token (`<user id>@prachum.invalid`): never a mailbox.
HOLDER_DOMAIN = "prachum.invalid"


def _holder(email: object) -> str:
    """The user id the portal signed into the occupant's JWT, from the email Prosody reports for it."""
    user, at, domain = str(email or "").partition("@")
    return user if at and domain == HOLDER_DOMAIN else ""
