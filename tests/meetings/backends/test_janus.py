"""JanusBackend against a real Janus (Debian's), started on free ports for this module.

Every behaviour is checked on the server itself: rooms are read back with the Admin API `list` (admin_key),
pins and secrets are checked by joining and editing with plain requests, participants are real Janus sessions.
Both routes of the backend run every test: the Admin API (`message_plugin`) and the plain Janus API (session).
"""

from __future__ import annotations

import dataclasses
import http.server
import itertools
import secrets
import socket
import threading

import pytest
import requests

from meetings.backends import backend_for
from meetings.backends.base import (
    Participant,
    PermanentMediaError,
    RoomNotFound,
    RoomSpec,
    TemporaryMediaError,
)
from meetings.backends.janus import JanusBackend
from tests.services.janus import JanusServer, JoinRefused, RawParticipant, raw_create_destroy

pytestmark = pytest.mark.integration

_room_ids = itertools.count(10_000 + secrets.randbelow(1000) * 1000)


def make_spec(**changes) -> RoomSpec:
    room_id = next(_room_ids)
    spec = RoomSpec(
        room_id=room_id,
        name=f"prachum-{room_id}",
        description=f"ประชุมประจำเดือน {room_id}",
        pin="4711",
        secret=secrets.token_urlsafe(12),
        max_publishers=6,
    )
    return dataclasses.replace(spec, **changes)


def backend_of(server: JanusServer, route: str, **overrides) -> JanusBackend:
    config = {
        "base_url": server.base_url,
        "admin_url": server.admin_url if route == "admin" else "",
        "admin_secret": server.admin_secret,
        "admin_key": server.admin_key,
        "api_secret": server.api_secret,
        "timeout": 3.0,
        **overrides,
    }
    backend = backend_for("janus", **config)
    assert isinstance(backend, JanusBackend)
    return backend


# Every Janus here has token_auth on: the backend's session route (no Admin API) passes with the api secret,
# which the portal keeps to itself (browsers get tokens).
@pytest.fixture(scope="module")
def janus():
    with JanusServer(api_secret=secrets.token_urlsafe(12)) as server:
        yield server


@pytest.fixture(params=["admin", "session"])
def backend(request, janus):
    backend = backend_of(janus, request.param)
    yield backend
    backend.close()


@pytest.fixture
def own_janus():
    """A Janus of the test's own, for killing and restarting."""
    with JanusServer(api_secret=secrets.token_urlsafe(12)) as server:
        yield server


def raw_edit(server: JanusServer, **request) -> dict:
    return server.admin_message({"request": "edit", **request})


# -- creating ---------------------------------------------------------------------------------------------------


def test_create_makes_a_private_room_as_specified(backend, janus):
    spec = make_spec()
    backend.create_room(spec)

    assert backend.room_exists(spec.room_id)
    room = janus.rooms()[spec.room_id]
    assert room["description"] == spec.description
    assert room["is_private"] is True
    assert room["pin_required"] is True
    assert room["max_publishers"] == 6
    public_list = janus.admin_message({"request": "list"})["list"]
    assert spec.room_id not in {r["room"] for r in public_list}, "private rooms are listed only with admin_key"


def test_the_pin_is_enforced(backend, janus):
    spec = make_spec()
    backend.create_room(spec)

    with RawParticipant(janus, spec.room_id, display="อำเภอกุมภวาปี", pin="0000") as wrong:
        assert wrong.join()["error_code"] == 433
    with RawParticipant(janus, spec.room_id, display="อำเภอกุมภวาปี") as without:
        assert without.join()["error_code"] in (429, 433)
    with RawParticipant(janus, spec.room_id, display="อำเภอกุมภวาปี", pin="4711") as right:
        assert right.join()["videoroom"] == "joined"
        # With the Admin API the backend also says which token opened the participant's session.
        assert backend.participants(spec.room_id) == [
            Participant(id=str(right.id), display="อำเภอกุมภวาปี", publisher=False,
                        holder=right.token if backend.admin_url else "")
        ]


def test_the_secret_is_enforced(backend, janus):
    spec = make_spec()
    backend.create_room(spec)

    assert raw_edit(janus, room=spec.room_id, secret="not-it", new_description="x")["error_code"] == 433
    assert janus.rooms()[spec.room_id]["description"] == spec.description


def test_create_twice_is_harmless_and_applies_the_new_values(backend, janus):
    spec = make_spec()
    backend.create_room(spec)
    backend.create_room(spec)
    changed = dataclasses.replace(spec, description="ย้ายห้อง", pin="9999", max_publishers=3)
    backend.create_room(changed)

    room = janus.rooms()[spec.room_id]
    assert (room["description"], room["max_publishers"]) == ("ย้ายห้อง", 3)
    with RawParticipant(janus, spec.room_id, display="old pin", pin="4711") as old:
        assert old.join()["error_code"] == 433
    with RawParticipant(janus, spec.room_id, display="new pin", pin="9999") as new:
        assert new.join()["videoroom"] == "joined"


def test_create_over_a_room_with_another_secret_is_refused(backend, janus):
    spec = make_spec()
    backend.create_room(spec)

    with pytest.raises(PermanentMediaError, match="433"):
        backend.create_room(dataclasses.replace(spec, secret="someone-else", description="hijack"))
    assert janus.rooms()[spec.room_id]["description"] == spec.description


def test_a_room_without_pin_lets_anyone_join(backend, janus):
    spec = make_spec(pin="")
    backend.create_room(spec)

    assert janus.rooms()[spec.room_id]["pin_required"] is False
    with RawParticipant(janus, spec.room_id, display="ใครก็ได้") as anyone:
        assert anyone.join()["videoroom"] == "joined"


# -- updating ---------------------------------------------------------------------------------------------------


def test_update_changes_description_pin_and_publishers(backend, janus):
    spec = make_spec()
    backend.create_room(spec)
    backend.update_room(dataclasses.replace(spec, description="เลื่อนเป็นบ่าย", pin="2468", max_publishers=12))

    room = janus.rooms()[spec.room_id]
    assert (room["description"], room["max_publishers"], room["pin_required"]) == ("เลื่อนเป็นบ่าย", 12, True)
    with RawParticipant(janus, spec.room_id, display="old", pin="4711") as old:
        assert old.join()["error_code"] == 433
    with RawParticipant(janus, spec.room_id, display="new", pin="2468") as new:
        assert new.join()["videoroom"] == "joined"


def test_update_of_a_missing_room_is_room_not_found(backend):
    with pytest.raises(RoomNotFound):
        backend.update_room(make_spec())


def test_update_cannot_silently_keep_a_pin_the_portal_removed(backend, janus):
    spec = make_spec()
    backend.create_room(spec)

    with pytest.raises(PermanentMediaError, match="pin"):
        backend.update_room(dataclasses.replace(spec, pin=""))
    assert janus.rooms()[spec.room_id]["pin_required"] is True


# -- destroying -------------------------------------------------------------------------------------------------


def test_destroy_removes_the_room_and_twice_is_fine(backend, janus):
    spec = make_spec()
    backend.create_room(spec)
    backend.destroy_room(spec)

    assert not backend.room_exists(spec.room_id)
    assert spec.room_id not in janus.rooms()
    backend.destroy_room(spec)
    backend.destroy_room(make_spec())  # never created


def test_destroy_with_the_wrong_secret_is_refused(backend, janus):
    spec = make_spec()
    backend.create_room(spec)

    with pytest.raises(PermanentMediaError, match="433"):
        backend.destroy_room(dataclasses.replace(spec, secret="wrong"))
    assert spec.room_id in janus.rooms()


# -- who is in the room -----------------------------------------------------------------------------------------


def test_participants_of_an_empty_or_missing_room(backend):
    spec = make_spec()
    assert backend.participants(spec.room_id) == []
    backend.create_room(spec)
    assert backend.participants(spec.room_id) == []


def test_kick_removes_the_participant_and_twice_is_fine(backend, janus):
    spec = make_spec()
    backend.create_room(spec)
    with (
        RawParticipant(janus, spec.room_id, display="สำนักงานจังหวัด", pin=spec.pin) as stays,
        RawParticipant(janus, spec.room_id, display="อำเภอบ้านดุง", pin=spec.pin) as leaves,
    ):
        stays.join()
        leaves.join()
        assert {p.display for p in backend.participants(spec.room_id)} == {"สำนักงานจังหวัด", "อำเภอบ้านดุง"}

        backend.kick(spec, str(leaves.id))
        backend.kick(spec, str(leaves.id))

        assert [p.id for p in backend.participants(spec.room_id)] == [str(stays.id)]


def test_kick_with_the_wrong_secret_is_refused(backend, janus):
    spec = make_spec()
    backend.create_room(spec)
    with RawParticipant(janus, spec.room_id, display="อำเภอเพ็ญ", pin=spec.pin) as someone:
        someone.join()
        with pytest.raises(PermanentMediaError, match="433"):
            backend.kick(dataclasses.replace(spec, secret="wrong"), str(someone.id))
        assert [p.id for p in backend.participants(spec.room_id)] == [str(someone.id)]


def test_mute_is_accepted_by_janus_and_checks_the_secret(backend, janus):
    """Janus 1.1 `moderate` is per stream (mid). A participant without media has no stream to block: Janus
    answers "no such stream", which the backend skips; a malformed request would raise (429/430)."""
    spec = make_spec()
    backend.create_room(spec)
    with RawParticipant(janus, spec.room_id, display="อำเภอหนองหาน", pin=spec.pin) as someone:
        someone.join()
        backend.mute(spec, str(someone.id))
        with pytest.raises(PermanentMediaError, match="433"):
            backend.mute(dataclasses.replace(spec, secret="wrong"), str(someone.id))
    backend.mute(spec, "12345")  # gone already: nothing to do


def test_join_target_gives_the_browser_what_it_needs_and_never_the_secret(backend, janus):
    spec = make_spec()
    target = backend.join_target(spec, display="อำเภอเมืองอุดรธานี", moderator=True)

    assert (target.kind, target.url, target.room_id, target.pin) == ("janus", janus.base_url, spec.room_id, "4711")
    assert (target.display, target.moderator, target.room_name) == ("อำเภอเมืองอุดรธานี", True, spec.name)
    assert spec.secret not in repr(target)
    public = backend_of(janus, "admin", public_url="https://media.example.go.th/janus")
    assert public.join_target(spec, display="x", moderator=False).url == "https://media.example.go.th/janus"
    public.close()


# -- refusals ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad_id", [0, -5, True, "12", 2**53])
def test_room_id_must_be_positive(backend, bad_id, janus):
    before = set(janus.rooms())
    spec = make_spec(room_id=bad_id)
    for call in (backend.create_room, backend.update_room, backend.destroy_room):
        with pytest.raises(ValueError, match="room id"):
            call(spec)
    with pytest.raises(ValueError, match="room id"):
        backend.room_exists(bad_id)
    with pytest.raises(ValueError, match="room id"):
        backend.participants(bad_id)
    assert set(janus.rooms()) == before, "nothing was created with a random id"


@pytest.mark.parametrize("route", ["admin", "session"])
def test_wrong_admin_key_is_permanent(janus, route):
    backend = backend_of(janus, route, admin_key="not-the-key")
    spec = make_spec()
    with pytest.raises(PermanentMediaError, match="433"):
        backend.create_room(spec)
    backend.close()
    assert spec.room_id not in janus.rooms()


def test_wrong_admin_secret_is_permanent(janus):
    backend = backend_of(janus, "admin", admin_secret="not-the-secret")
    with pytest.raises(PermanentMediaError, match="403"):
        backend.create_room(make_spec())
    backend.close()


def test_api_secret_is_sent_on_the_session_route():
    with JanusServer(api_secret="s3cret-api") as server:
        spec = make_spec()
        good = backend_of(server, "session")
        good.create_room(spec)
        assert spec.room_id in server.rooms()
        bad = backend_of(server, "session", api_secret="")
        with pytest.raises(PermanentMediaError, match="403"):
            bad.room_exists(spec.room_id)
        good.close()
        bad.close()


# -- tokens (token_auth) ----------------------------------------------------------------------------------------


def test_tokens_are_added_listed_and_removed_and_only_a_held_one_opens_a_session(janus):
    backend = backend_of(janus, "admin")
    spec = make_spec()
    backend.create_room(spec)
    token = secrets.token_urlsafe(24)
    with RawParticipant(janus, spec.room_id, display="x", pin="4711", token=token) as before, pytest.raises(
        JoinRefused, match="403"
    ):
        before.join()  # not added yet: no session at all
    backend.token_add(token)
    backend.token_add(token)  # twice is harmless
    assert token in backend.tokens()
    with RawParticipant(janus, spec.room_id, display="x", pin="4711", token=token) as inside:
        assert inside.join()["videoroom"] == "joined"
        backend.token_remove(token)
        assert token not in backend.tokens()
        # The session it opened is refused from the next request on, and no new one opens.
        assert inside._post(f"/{inside.session_id}", {"janus": "keepalive"})["error"]["code"] == 403
    with RawParticipant(janus, spec.room_id, display="x", pin="4711", token=token) as after, pytest.raises(
        JoinRefused, match="403"
    ):
        after.join()
    backend.token_remove(token)  # gone already: fine
    with pytest.raises(ValueError, match="URL-safe"):
        backend.token_add('bad"token')
    backend.close()


def test_tokens_need_the_admin_api(janus):
    backend = backend_of(janus, "session")
    with pytest.raises(PermanentMediaError, match="Admin API"):
        backend.tokens()
    backend.close()


# -- the server going away --------------------------------------------------------------------------------------


def test_health_follows_the_server(own_janus):
    backend = backend_of(own_janus, "admin")
    assert backend.health() is True
    own_janus.stop()
    assert backend.health() is False
    backend.close()


@pytest.mark.parametrize("route", ["admin", "session"])
def test_a_crashed_server_is_a_temporary_error(own_janus, route):
    backend = backend_of(own_janus, route)
    spec = make_spec()
    backend.create_room(spec)
    own_janus.kill()

    with pytest.raises(TemporaryMediaError):
        backend.room_exists(spec.room_id)
    with pytest.raises(TemporaryMediaError):
        backend.create_room(spec)
    assert backend.health() is False
    backend.close()


@pytest.mark.parametrize("route", ["admin", "session"])
def test_after_a_restart_rooms_are_gone_and_can_be_made_again(own_janus, route):
    backend = backend_of(own_janus, route)
    spec = make_spec()
    backend.create_room(spec)
    own_janus.restart()

    assert backend.room_exists(spec.room_id) is False  # the session route re-opens its session by itself
    backend.create_room(spec)
    assert spec.room_id in own_janus.rooms()
    backend.close()


def test_a_server_that_never_answers_is_a_temporary_error():
    with socket.socket() as listener:  # accepts connections (the kernel does) and never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        backend = JanusBackend(base_url=f"{url}/janus", admin_url=f"{url}/admin", admin_secret="x", timeout=0.3)
        with pytest.raises(TemporaryMediaError, match="did not answer"):
            backend.room_exists(1)
        assert backend.health() is False
        backend.close()


class _Answer503(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_http_5xx_is_a_temporary_error():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answer503)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        backend = JanusBackend(base_url=f"{url}/janus", admin_url=f"{url}/admin", admin_secret="x", timeout=2)
        with pytest.raises(TemporaryMediaError, match="503"):
            backend.create_room(make_spec())
        backend.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_raw_janus_is_reachable_for_the_benchmark(janus):
    rooms_before = set(janus.rooms())
    assert raw_create_destroy(janus, 5) > 0
    assert set(janus.rooms()) == rooms_before
    assert requests.get(f"{janus.base_url}/info", timeout=2).json()["server-name"] == janus.server_name
