"""Rooms on a real Janus (Debian's package, started by the suite on free ports): the portal's whole path.

Scheduling writes the row and enqueues on commit; the task (run eagerly, the same code the worker runs) creates,
edits or destroys the room; the sweep brings back what a restart lost. What Janus holds is read back through its
own Admin API (`list` with the admin_key, which shows private rooms), and the pin by joining with it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.models import MediaServer, Meeting, Room
from meetings.services import rooms_sweep, servers_check
from meetings.services.scheduling import meeting_cancel, meeting_reschedule, meeting_update
from tests.factories.meetings import MediaServerFactory, MeetingFactory, site
from tests.services.janus import JanusServer

from .conftest import janus_pin_accepted

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def soon(minutes: int = 60) -> tuple:
    start = (timezone.now() + timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    return start, start + timedelta(hours=1)


def test_schedule_creates_the_room_with_its_pin_and_description(
    janus, janus_server, scheduler, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = MeetingFactory.create(title="ประชุมกรมการจังหวัด", sites=("4101", "4122"), created_by=scheduler)
    room = Room.objects.get(meeting=meeting)
    assert room.state == Room.State.PROVISIONED
    assert room.server == janus_server

    on_janus = janus.rooms()[room.number]
    assert on_janus["description"].startswith("ประชุมกรมการจังหวัด · ")
    assert on_janus["pin_required"] is True
    assert on_janus["is_private"] is True
    assert on_janus["max_publishers"] == 3
    assert janus_pin_accepted(janus, room.number, room.pin) is True
    assert janus_pin_accepted(janus, room.number, "000000" if room.pin != "000000" else "111111") is False
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.READY


def test_reschedule_and_update_edit_the_room_and_cancel_removes_it(
    janus, janus_server, scheduler, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = MeetingFactory.create(title="ประชุมเดิม", created_by=scheduler)
    number = meeting.room.number
    before = janus.rooms()[number]["description"]

    new_start = meeting.start + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_reschedule(meeting=meeting, start=new_start, end=new_start + timedelta(hours=2), by=scheduler)
    after = janus.rooms()[number]["description"]
    assert after != before
    assert after.endswith("–" + (new_start + timedelta(hours=2)).astimezone(new_start.tzinfo).strftime("%H:%M") + " น.")

    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(meeting=meeting, title="ประชุมเรื่องใหม่", sites=[site("4101"), site("4102"), site("4103")],
                       by=scheduler)
    on_janus = janus.rooms()[number]
    assert on_janus["description"].startswith("ประชุมเรื่องใหม่ · ")
    assert on_janus["max_publishers"] == 4
    room = Room.objects.get(pk=meeting.room.pk)
    assert room.provisioned_version == room.desired_version == 3
    assert janus_pin_accepted(janus, number, room.pin) is True  # the pin survived the edits

    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(meeting=meeting, by=scheduler)
    assert number not in janus.rooms()
    assert Room.objects.get(pk=room.pk).state == Room.State.DESTROYED


def test_janus_killed_and_restarted_the_sweep_brings_the_rooms_back(
    janus, janus_server, scheduler, django_capture_on_commit_callbacks
):
    start, end = soon()
    with django_capture_on_commit_callbacks(execute=True):
        meetings = [
            MeetingFactory.create(host=host, sites=(), start=start, end=end, created_by=scheduler)
            for host in ("41", "4101", "4122")
        ]
        later = MeetingFactory.create(created_by=scheduler)  # in two days: not checked by this sweep
    rooms = list(Room.objects.filter(meeting__in=meetings).order_by("pk"))
    assert {room.number for room in rooms} <= set(janus.rooms())

    janus.kill()
    janus.start()
    assert not {room.number for room in rooms} & set(janus.rooms())  # never permanent: a restart forgets them

    with django_capture_on_commit_callbacks(execute=True):
        assert servers_check() == {"janus-test": True}
        report = rooms_sweep()
    assert report.recreated == [room.pk for room in rooms]
    on_janus = janus.rooms()
    for room in rooms:
        room.refresh_from_db()
        assert room.state == Room.State.PROVISIONED
        assert on_janus[room.number]["description"].startswith(f"{room.meeting.title} · ")
    assert janus_pin_accepted(janus, rooms[0].number, rooms[0].pin) is True
    assert later.room.number not in on_janus

    with django_capture_on_commit_callbacks(execute=True):
        assert rooms_sweep().recreated == []  # nothing to do the second time


def test_janus_down_while_scheduling_nothing_is_lost(
    janus, janus_server, scheduler, django_capture_on_commit_callbacks
):
    janus.stop()
    try:
        start, end = soon(120)
        with django_capture_on_commit_callbacks(execute=True):
            meeting = MeetingFactory.create(title="ประชุมตอนเซิร์ฟเวอร์ล่ม", start=start, end=end, created_by=scheduler)
        room = Room.objects.get(meeting=meeting)
        assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.SCHEDULED
        assert room.state == Room.State.PENDING
        assert room.attempts == 1
        assert "cannot reach Janus" in room.last_error
        assert room.next_attempt_at > timezone.now()

        with django_capture_on_commit_callbacks(execute=True):
            assert servers_check() == {"janus-test": False}
            rooms_sweep()  # Janus still down: the room waits (nowhere else to go)
        room.refresh_from_db()
        assert room.state == Room.State.PENDING
    finally:
        janus.start()

    with django_capture_on_commit_callbacks(execute=True):
        assert servers_check() == {"janus-test": True}
        rooms_sweep(now=room.next_attempt_at + timedelta(seconds=1))
    room.refresh_from_db()
    assert room.state == Room.State.PROVISIONED
    assert room.server_id == janus_server.pk
    assert janus.rooms()[room.number]["description"].startswith("ประชุมตอนเซิร์ฟเวอร์ล่ม · ")
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.READY


def test_rooms_of_a_server_that_went_down_move_to_a_healthy_one(
    janus, janus_server, scheduler, monkeypatch, django_capture_on_commit_callbacks
):
    with JanusServer() as second:
        monkeypatch.setenv("JANUS_SECOND_ADMIN_SECRET", second.admin_secret)
        monkeypatch.setenv("JANUS_SECOND_ADMIN_KEY", second.admin_key)
        MediaServer.objects.filter(pk=janus_server.pk).update(capacity_sites=1000)
        spare = MediaServerFactory.create(name="janus-second", kind="janus", url=second.base_url,
                                          admin_url=second.admin_url, secret_env="JANUS_SECOND", capacity_sites=10)
        with django_capture_on_commit_callbacks(execute=True):
            meeting = MeetingFactory.create(created_by=scheduler)
        room = Room.objects.get(meeting=meeting)
        assert room.server_id == janus_server.pk  # the least loaded first, by id when equal

        MediaServer.objects.filter(pk=janus_server.pk).update(state=MediaServer.State.DOWN)
        with django_capture_on_commit_callbacks(execute=True):
            report = rooms_sweep()
        assert report.replaced == [room.pk]
        room.refresh_from_db()
        assert room.server_id == spare.pk
        assert room.state == Room.State.PROVISIONED
        assert room.number in second.rooms()
        assert janus_pin_accepted(second, room.number, room.pin) is True


def test_capacity_is_respected_when_placing(janus_server, scheduler, django_capture_on_commit_callbacks):
    MediaServer.objects.filter(pk=janus_server.pk).update(capacity_sites=3)
    start, end = soon(180)
    with django_capture_on_commit_callbacks(execute=True):
        first = MeetingFactory.create(sites=("4101", "4102"), start=start, end=end, created_by=scheduler)
        second = MeetingFactory.create(host="4103", sites=("4104",), start=start, end=end, created_by=scheduler)
        later = MeetingFactory.create(host="4103", sites=("4104",), start=end, end=end + timedelta(hours=1),
                                      created_by=scheduler)
    assert Room.objects.get(meeting=first).state == Room.State.PROVISIONED
    waiting = Room.objects.get(meeting=second)
    assert waiting.server is None
    assert waiting.state == Room.State.PENDING
    assert "รองรับผู้เข้าร่วมได้พอ" in waiting.last_error
    assert Room.objects.get(meeting=later).state == Room.State.PROVISIONED  # another window: room again
