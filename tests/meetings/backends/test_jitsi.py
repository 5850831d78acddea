"""JitsiBackend: tokens verified as Prosody verifies them, mod_muc_size served by a faithful stub, and the
reservation API's JSON."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.parse
from datetime import UTC, datetime, timedelta, timezone

import jwt
import pytest

from meetings.backends.base import Participant, PermanentMediaError, RoomSpec, TemporaryMediaError
from meetings.backends.jitsi import (
    ConferenceRequest,
    JitsiBackend,
    ReservationError,
    conflict_answer,
    format_start_time,
    parse_conference_request,
    parse_start_time,
    refusal_answer,
    reservation_answer,
)

pytestmark = pytest.mark.unit

DOMAIN = "meet.udonthani.go.th"
APP_ID = "prachum"
APP_SECRET = "a-long-shared-secret-for-hs256-tokens"
BANGKOK = timezone(timedelta(hours=7))
SPEC = RoomSpec(
    room_id=7, name="Prachum-2025-0007", description="ประชุม", pin="", secret="never-shown", max_publishers=20
)


def verify_as_prosody(token: str, *, audience: str = "jitsi") -> dict:
    """What Prosody's token authentication checks: HS256, iss = app_id, aud, exp and nbf (numbers, no leeway)."""
    claims = jwt.decode(
        token,
        APP_SECRET,
        algorithms=["HS256"],
        audience=audience,
        issuer=APP_ID,
        options={"require": ["exp", "nbf", "iss", "aud", "sub", "room"]},
        leeway=0,
    )
    assert type(claims["exp"]) is int
    assert type(claims["nbf"]) is int
    return claims


@pytest.fixture
def backend():
    backend = JitsiBackend(domain=DOMAIN, app_id=APP_ID, app_secret=APP_SECRET)
    yield backend
    backend.close()


# -- tokens -----------------------------------------------------------------------------------------------------


def test_a_moderator_token_as_prosody_reads_it(backend):
    now = datetime.now(tz=UTC)
    token = backend.issue_token(
        room="Prachum-2025-0007",
        display="ศาลากลางจังหวัดอุดรธานี",
        user_id="staff-12",
        email="chair@udonthani.go.th",
        moderator=True,
        not_before=now - timedelta(minutes=1),
        expires=now + timedelta(hours=2),
    )
    claims = verify_as_prosody(token)

    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert (claims["iss"], claims["aud"], claims["sub"], claims["room"]) == (
        APP_ID,
        "jitsi",
        DOMAIN,
        "prachum-2025-0007",
    )
    assert claims["context"]["user"] == {
        "id": "staff-12",
        "name": "ศาลากลางจังหวัดอุดรธานี",
        "email": "chair@udonthani.go.th",
        "avatar": "",
        "moderator": "true",
    }
    assert claims["exp"] - claims["nbf"] == 7260


def test_a_participant_token_claims_no_moderator(backend):
    now = datetime.now(tz=UTC)
    token = backend.issue_token(
        room="prachum-2025-0007",
        display="อำเภอบ้านดุง",
        user_id="site-4107",
        moderator=False,
        not_before=now,
        expires=now + timedelta(hours=1),
    )
    user = verify_as_prosody(token)["context"]["user"]

    assert "moderator" not in user
    assert user["email"] == ""


def test_an_expired_token_is_rejected(backend):
    long_ago = datetime(2024, 1, 1, 9, 0, tzinfo=BANGKOK)
    token = backend.issue_token(
        room="prachum-1",
        display="x",
        user_id="1",
        moderator=False,
        not_before=long_ago,
        expires=long_ago + timedelta(hours=1),
    )
    with pytest.raises(jwt.ExpiredSignatureError):
        verify_as_prosody(token)


def test_a_token_not_yet_valid_is_rejected(backend):
    soon = datetime.now(tz=UTC) + timedelta(hours=1)
    token = backend.issue_token(
        room="prachum-1", display="x", user_id="1", moderator=False, not_before=soon, expires=soon + timedelta(hours=1)
    )
    with pytest.raises(jwt.ImmatureSignatureError):
        verify_as_prosody(token)


def test_a_token_signed_with_another_secret_is_rejected():
    other = JitsiBackend(domain=DOMAIN, app_id=APP_ID, app_secret="another-secret-of-sufficient-length!")
    now = datetime.now(tz=UTC)
    token = other.issue_token(
        room="prachum-1", display="x", user_id="1", moderator=True, not_before=now, expires=now + timedelta(hours=1)
    )
    with pytest.raises(jwt.InvalidSignatureError):
        verify_as_prosody(token)
    other.close()


def test_audience_and_subject_are_configurable():
    backend = JitsiBackend(
        domain=DOMAIN, app_id=APP_ID, app_secret=APP_SECRET, audience="prachum-aud", subject="udonthani"
    )
    now = datetime.now(tz=UTC)
    token = backend.issue_token(
        room="prachum-1", display="x", user_id="1", moderator=False, not_before=now, expires=now + timedelta(hours=1)
    )
    assert verify_as_prosody(token, audience="prachum-aud")["sub"] == "udonthani"
    with pytest.raises(jwt.InvalidAudienceError):
        verify_as_prosody(token)
    backend.close()


def test_token_times_must_be_aware_and_ordered(backend):
    with pytest.raises(ValueError, match="aware"):
        backend.issue_token(
            room="r1", display="x", user_id="1", moderator=False,
            not_before=datetime(2025, 1, 1), expires=datetime(2025, 1, 2),  # noqa: DTZ001 - the point of the test
        )  # fmt: skip
    now = datetime.now(tz=UTC)
    with pytest.raises(ValueError, match="expire"):
        backend.issue_token(room="r1", display="x", user_id="1", moderator=False, not_before=now, expires=now)


@pytest.mark.parametrize("bad", ["", "room with spaces", "room/../x", "a@b", "ห้องประชุม", "x?jwt=1"])
def test_unsafe_room_names_are_refused(backend, bad):
    now = datetime.now(tz=UTC)
    with pytest.raises(ValueError, match="room name"):
        backend.issue_token(
            room=bad, display="x", user_id="1", moderator=False, not_before=now, expires=now + timedelta(hours=1)
        )


def test_join_target_is_the_room_url_with_a_valid_token(backend):
    target = backend.join_target(SPEC, display="อำเภอเพ็ญ", moderator=False, user_id="site-4110")

    prefix = f"https://{DOMAIN}/prachum-2025-0007?jwt="
    assert target.url.startswith(prefix)
    claims = verify_as_prosody(target.url.removeprefix(prefix))
    assert claims["room"] == "prachum-2025-0007"
    assert claims["context"]["user"]["name"] == "อำเภอเพ็ญ"
    assert (target.kind, target.room_name, target.room_id, target.moderator) == ("jitsi", "prachum-2025-0007", 7, False)
    assert SPEC.secret not in repr(target)


def test_join_target_for_a_moderator(backend):
    target = backend.join_target(SPEC, display="ประธาน", moderator=True, user_id="staff-1")
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(target.url).query)["jwt"][0]
    assert verify_as_prosody(token)["context"]["user"]["moderator"] == "true"


def test_room_lifecycle_calls_succeed_without_a_server(backend):
    backend.create_room(SPEC)
    backend.update_room(SPEC)
    backend.destroy_room(SPEC)
    backend.destroy_room(SPEC)


# -- who is in the room: a faithful stub of Prosody's mod_muc_size ----------------------------------------------


class MucSize(http.server.BaseHTTPRequestHandler):
    """mod_muc_size as MEDIA.md describes it: rooms live at <room>@conference.<domain>; 404 for no room."""

    rooms: dict[str, list[dict]]  # room jid -> occupants (focus excluded)
    status_override: int | None = None

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query)
        if self.status_override:
            return self._answer(self.status_override, None)
        if url.path not in ("/room-size", "/room"):
            return self._answer(404, None)
        if "room" not in params or "domain" not in params:
            return self._answer(400, None)
        room_jid = f"{params['room'][0]}@conference.{params['domain'][0]}"
        occupants = self.rooms.get(room_jid)
        if occupants is None:
            return self._answer(404, None)
        if url.path == "/room-size":
            return self._answer(200, {"participants": len(occupants)})
        return self._answer(200, occupants)

    def _answer(self, status: int, body: object) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def prosody():
    handler = type("Handler", (MucSize,), {"rooms": {}, "status_override": None})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.handler = handler
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def watched(prosody):
    backend = JitsiBackend(domain=DOMAIN, app_id=APP_ID, app_secret=APP_SECRET, muc_size_url=prosody.url, timeout=2)
    yield backend
    backend.close()


def test_room_exists_only_once_someone_opened_it(prosody, watched):
    assert watched.room_exists(7, "prachum-2025-0007") is False
    prosody.handler.rooms[f"prachum-2025-0007@conference.{DOMAIN}"] = []

    assert watched.room_exists(7, "Prachum-2025-0007") is True


def test_participants_come_from_the_room_endpoint(prosody, watched):
    assert watched.participants(7, "prachum-2025-0007") == []
    prosody.handler.rooms[f"prachum-2025-0007@conference.{DOMAIN}"] = [
        {"jid": f"prachum-2025-0007@conference.{DOMAIN}/a1b2", "email": "chair@udonthani.go.th",
         "display_name": "ศาลากลางจังหวัด"},
        {"jid": f"prachum-2025-0007@conference.{DOMAIN}/c3d4", "email": "", "display_name": None},
    ]  # fmt: skip

    assert watched.participants(7, "prachum-2025-0007") == [
        Participant(id=f"prachum-2025-0007@conference.{DOMAIN}/a1b2", display="ศาลากลางจังหวัด"),
        Participant(id=f"prachum-2025-0007@conference.{DOMAIN}/c3d4", display=""),
    ]


def test_server_errors_are_temporary_and_refusals_permanent(prosody, watched):
    prosody.handler.status_override = 503
    with pytest.raises(TemporaryMediaError):
        watched.room_exists(7, "prachum-2025-0007")
    assert watched.health() is False
    prosody.handler.status_override = 403
    with pytest.raises(PermanentMediaError):
        watched.participants(7, "prachum-2025-0007")
    prosody.handler.status_override = None
    assert watched.health() is True


def test_an_unreachable_prosody_is_temporary(prosody):
    url = prosody.url
    prosody.shutdown()
    prosody.server_close()
    backend = JitsiBackend(domain=DOMAIN, app_id=APP_ID, app_secret=APP_SECRET, muc_size_url=url, timeout=1)
    with pytest.raises(TemporaryMediaError):
        backend.room_exists(7, "prachum-2025-0007")
    assert backend.health() is False
    backend.close()


def test_a_token_for_mod_muc_size_when_it_asks_for_one(prosody):
    seen: list[str] = []

    class TokenChecking(prosody.handler):
        def do_GET(self):
            params = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            seen.append(params.get("token", [""])[0])
            if not seen[-1]:
                return self._answer(403, None)
            return super().do_GET()

    prosody.RequestHandlerClass = TokenChecking
    backend = JitsiBackend(
        domain=DOMAIN, app_id=APP_ID, app_secret=APP_SECRET, muc_size_url=prosody.url, muc_size_token=True
    )
    assert backend.room_exists(7, "prachum-2025-0007") is False
    assert verify_as_prosody(seen[-1])["room"] == "prachum-2025-0007"
    backend.close()


# -- the reservation API ----------------------------------------------------------------------------------------


def test_reservation_answer_is_exactly_what_mod_reservations_reads():
    answer = reservation_answer(
        reservation_id=412,
        name="Prachum-2025-0007",
        mail_owner="chair@udonthani.go.th",
        start_time=datetime(2025, 3, 4, 9, 30, 15, 123456, tzinfo=BANGKOK),
        duration=timedelta(hours=2),
    )

    assert answer == {
        "id": "412",  # a string: mod_reservations builds the DELETE URL from it
        "name": "prachum-2025-0007",
        "mail_owner": "chair@udonthani.go.th",
        "start_time": "2025-03-04T02:30:15.123Z",
        "duration": 7200,
    }
    assert list(answer) == ["id", "name", "mail_owner", "start_time", "duration"]
    json.dumps(answer)  # serialisable as it is


def test_reservation_answer_with_max_occupants():
    answer = reservation_answer(
        reservation_id=1,
        name="prachum-1",
        mail_owner="",
        start_time=datetime(2025, 1, 1, tzinfo=UTC),
        duration=3600,
        max_occupants=21,
    )
    assert answer["max_occupants"] == 21
    assert answer["start_time"] == "2025-01-01T00:00:00.000Z"


@pytest.mark.parametrize(
    "changes",
    [
        {"duration": 0},
        {"start_time": datetime(2025, 1, 1)},  # noqa: DTZ001 - naive on purpose
        {"max_occupants": 0},
        {"name": "no spaces allowed"},
    ],
)
def test_reservation_answer_refuses_bad_values(changes):
    values = {
        "reservation_id": 1,
        "name": "prachum-1",
        "mail_owner": "",
        "start_time": datetime(2025, 1, 1, tzinfo=UTC),
        "duration": 3600,
        **changes,
    }
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        reservation_answer(**values)


def test_conflict_and_refusal_bodies():
    assert conflict_answer(412) == {"conflict_id": "412"}  # a string: Prosody builds a URL from it
    assert refusal_answer("ยังไม่ถึงเวลาประชุม") == {"message": "ยังไม่ถึงเวลาประชุม"}


def test_prosodys_form_is_parsed():
    form = {
        "name": "Prachum-2025-0007",
        "start_time": "2025-03-04T02:30:15.123Z",
        "mail_owner": "chair@udonthani.go.th",
    }

    assert parse_conference_request(form) == ConferenceRequest(
        name="prachum-2025-0007",
        start_time=datetime(2025, 3, 4, 2, 30, 15, 123000, tzinfo=UTC),
        mail_owner="chair@udonthani.go.th",
    )
    assert parse_conference_request({**form, "mail_owner": ""}).mail_owner == ""


def test_start_time_round_trips():
    moment = datetime(2025, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)
    assert parse_start_time(format_start_time(moment)) == moment


@pytest.mark.parametrize(
    "start_time",
    [
        "2025-03-04 02:30:15.123Z",
        "2025-03-04T02:30:15Z",
        "2025-03-04T02:30:15.123",
        "2025-03-04T02:30:15.123+07:00",
        "2025-13-04T02:30:15.123Z",
        "2025-02-30T02:30:15.123Z",
        "yesterday",
        "",
    ],
)
def test_a_malformed_start_time_is_rejected(start_time):
    form = {"name": "prachum-1", "start_time": start_time, "mail_owner": "a@b.c"}
    with pytest.raises(ReservationError):
        parse_conference_request(form)


@pytest.mark.parametrize("form", [{}, {"start_time": "2025-03-04T02:30:15.123Z"}, {"name": "bad name!"}])
def test_a_form_without_a_valid_name_or_time_is_rejected(form):
    with pytest.raises(ReservationError):
        parse_conference_request(form)
