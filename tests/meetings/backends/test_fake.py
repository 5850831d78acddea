"""FakeBackend: the same room semantics as the real servers, in memory."""

from __future__ import annotations

import dataclasses

import pytest

from meetings.backends.base import (
    Participant,
    PermanentMediaError,
    RoomNotFound,
    RoomSpec,
    TemporaryMediaError,
)
from meetings.backends.fake import FakeBackend

pytestmark = pytest.mark.unit

SPEC = RoomSpec(room_id=41, name="prachum-41", description="ประชุม", pin="1234", secret="s", max_publishers=6)


@pytest.fixture(autouse=True)
def _clean():
    FakeBackend.reset()
    yield
    FakeBackend.reset()


def test_rooms_are_shared_by_every_instance():
    FakeBackend(public_url="fake://one").create_room(SPEC)

    assert FakeBackend().room_exists(41)
    assert FakeBackend.rooms() == {41: SPEC}


def test_create_is_idempotent_and_applies_new_values():
    backend = FakeBackend()
    backend.create_room(SPEC)
    backend.create_room(dataclasses.replace(SPEC, description="ใหม่"))

    assert FakeBackend.rooms()[41].description == "ใหม่"


def test_create_over_another_secret_is_refused():
    backend = FakeBackend()
    backend.create_room(SPEC)
    with pytest.raises(PermanentMediaError):
        backend.create_room(dataclasses.replace(SPEC, secret="other"))


def test_update_of_a_missing_room_is_room_not_found():
    with pytest.raises(RoomNotFound):
        FakeBackend().update_room(SPEC)


def test_update_changes_the_room():
    backend = FakeBackend()
    backend.create_room(SPEC)
    backend.update_room(dataclasses.replace(SPEC, pin="9999"))

    assert FakeBackend.rooms()[41].pin == "9999"


def test_destroy_removes_and_twice_is_a_no_op():
    backend = FakeBackend()
    backend.create_room(SPEC)
    backend.destroy_room(SPEC)
    backend.destroy_room(SPEC)

    assert not backend.room_exists(41)
    assert FakeBackend.rooms() == {}


def test_destroy_with_the_wrong_secret_is_refused():
    backend = FakeBackend()
    backend.create_room(SPEC)
    with pytest.raises(PermanentMediaError):
        backend.destroy_room(dataclasses.replace(SPEC, secret="wrong"))
    assert backend.room_exists(41)


def test_participants_are_settable_and_kick_and_mute_act_on_them():
    backend = FakeBackend()
    assert backend.participants(41) == []
    backend.create_room(SPEC)
    people = [Participant("1", "สำนักงานจังหวัด", publisher=True), Participant("2", "อำเภอบ้านผือ")]
    FakeBackend.set_participants(41, people)

    assert backend.participants(41) == people
    backend.mute(SPEC, "2")
    assert FakeBackend.is_muted(41, "2")
    assert not FakeBackend.is_muted(41, "1")
    backend.kick(SPEC, "2")
    backend.kick(SPEC, "2")
    assert backend.participants(41) == [people[0]]


def test_destroy_forgets_the_participants():
    backend = FakeBackend()
    backend.create_room(SPEC)
    FakeBackend.set_participants(41, [Participant("1", "x")])
    backend.destroy_room(SPEC)
    backend.create_room(SPEC)

    assert backend.participants(41) == []


def test_down_means_unhealthy_and_temporary_errors():
    backend = FakeBackend()
    assert backend.health() is True
    FakeBackend.down = True

    assert backend.health() is False
    with pytest.raises(TemporaryMediaError):
        backend.create_room(SPEC)
    with pytest.raises(TemporaryMediaError):
        backend.room_exists(41)
    FakeBackend.reset()
    assert backend.health() is True


def test_room_id_must_be_positive():
    with pytest.raises(ValueError, match="room id"):
        FakeBackend().create_room(dataclasses.replace(SPEC, room_id=0))


def test_join_target_never_holds_the_secret():
    target = FakeBackend().join_target(SPEC, display="อำเภอหนองแสง", moderator=False)

    assert (target.kind, target.room_id, target.pin, target.display) == ("fake", 41, "1234", "อำเภอหนองแสง")
    assert SPEC.secret not in (target.url, target.pin, *target.extra.values())


def test_any_server_configuration_is_accepted():
    backend = FakeBackend(base_url="http://nowhere", admin_secret="x", name="fake")
    assert backend.health() is True
