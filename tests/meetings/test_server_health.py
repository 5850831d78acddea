"""Health with hysteresis: one failed probe moves nothing; a server that really went away loses its open rooms;
when it answers again, the rooms waiting for a server are provisioned at once, not at their back-off time."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from meetings.backends.fake import FakeBackend
from meetings.models import MediaServer, Meeting, Room
from meetings.services import rooms_sweep, servers_check
from tests.factories.meetings import MeetingFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _under_way(scheduler, django_capture_on_commit_callbacks) -> Room:
    """A meeting scheduled to start in a few minutes; the tests then move the clock into it."""
    start = (timezone.now() + timedelta(minutes=5)).replace(second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = MeetingFactory.create(sites=("4101", "4122"), start=start, end=start + timedelta(hours=2),
                                        created_by=scheduler)
    room = Room.objects.get(meeting=meeting)
    assert room.state == Room.State.PROVISIONED
    return room


def test_one_failed_probe_moves_nothing_and_the_meeting_stays_on_its_server(
    fake_server, scheduler, django_capture_on_commit_callbacks
):
    room = _under_way(scheduler, django_capture_on_commit_callbacks)
    FakeBackend.down = True  # one probe times out, ten minutes into the meeting
    with time_machine.travel(room.meeting.start + timedelta(minutes=10), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        assert servers_check() == {"fake": False}
        report = rooms_sweep()
    server = MediaServer.objects.get(pk=fake_server.pk)
    assert (server.failed_checks, server.last_check_ok is False) == (1, False)  # not failing yet
    assert report.replaced == []
    room.refresh_from_db()
    assert (room.state, room.server_id) == (Room.State.PROVISIONED, fake_server.pk)
    FakeBackend.down = False
    with django_capture_on_commit_callbacks(execute=True):
        assert servers_check() == {"fake": True}
    assert MediaServer.objects.get(pk=fake_server.pk).failed_checks == 0


def test_a_server_gone_for_good_loses_its_rooms_and_gets_them_back_at_once_when_it_answers(
    fake_server, scheduler, django_capture_on_commit_callbacks
):
    room = _under_way(scheduler, django_capture_on_commit_callbacks)
    FakeBackend.down = True
    with time_machine.travel(room.meeting.start + timedelta(minutes=10), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        servers_check()
        servers_check()  # the second failure in a row: failing
        report = rooms_sweep()
    assert MediaServer.objects.get(pk=fake_server.pk).last_check_ok is False
    assert report.replaced  # moved off the failing server
    room.refresh_from_db()
    assert room.state == Room.State.PENDING
    assert Meeting.objects.get(pk=room.meeting_id).status == Meeting.Status.SCHEDULED  # no longer "room ready"
    FakeBackend.reset()  # Janus restarted: it answers, and holds no room
    with django_capture_on_commit_callbacks(execute=True):
        assert servers_check() == {"fake": True}  # no sweep, no waiting for the back-off
    room.refresh_from_db()
    assert (room.state, room.server_id) == (Room.State.PROVISIONED, fake_server.pk)
    assert room.number in FakeBackend.rooms()
    assert Meeting.objects.get(pk=room.meeting_id).status == Meeting.Status.READY


def test_a_room_moves_only_to_a_server_of_its_kind_unless_the_operator_allows_another(
    fake_server, scheduler, django_capture_on_commit_callbacks, settings, monkeypatch
):
    from tests.factories.meetings import MediaServerFactory

    room = _under_way(scheduler, django_capture_on_commit_callbacks)
    assert room.kind == MediaServer.Kind.FAKE
    FakeBackend.down = True
    with time_machine.travel(room.meeting.start + timedelta(minutes=10), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        servers_check()
        servers_check()
    monkeypatch.setenv("JITSI_TEST_APP_SECRET", "s" * 40)
    jitsi = MediaServerFactory.create(  # healthy, with room to spare, but of another kind
        name="jitsi", kind=MediaServer.Kind.JITSI, url="https://meet.example.go.th", secret_env="JITSI_TEST",
        options={"app_id": "prachum"}, last_check_ok=True,
    )
    with time_machine.travel(room.meeting.start + timedelta(minutes=10), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        rooms_sweep()
    room.refresh_from_db()
    assert (room.state, room.server_id) == (Room.State.PENDING, None)  # waits for a server of its own kind
    settings.MEETINGS_ROOM_KIND_FALLBACK = True
    with time_machine.travel(room.meeting.start + timedelta(minutes=11), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        rooms_sweep(now=room.next_attempt_at + timedelta(seconds=1) if room.next_attempt_at else None)
    room.refresh_from_db()
    assert room.server_id == jitsi.pk, (room.state, room.last_error, room.next_attempt_at, room.attempts)


def test_during_an_outage_the_clerks_page_the_control_centre_and_the_api_say_the_room_is_not_ready(
    fake_server, scheduler, django_capture_on_commit_callbacks, login
):
    from django.urls import reverse

    from districts.models import Staff
    from tests.factories.api import api_as

    room = _under_way(scheduler, django_capture_on_commit_callbacks)
    notice = "ห้องประชุมยังไม่พร้อม — กำลังเชื่อมต่อใหม่"
    clerk = login(Staff.Role.CLERK, "4122")
    assert notice not in clerk.get(reverse("site:page", kwargs={"code": "4122"})).content.decode()
    FakeBackend.down = True
    with time_machine.travel(room.meeting.start + timedelta(minutes=10), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            servers_check()
            servers_check()
            rooms_sweep()  # the room leaves the failing server: on no server now
        assert notice in clerk.get(reverse("site:page", kwargs={"code": "4122"})).content.decode()
        scheduler_api = api_as(Staff.Role.SCHEDULER, "41")
        assert scheduler_api.get(f"/api/meetings/{room.meeting_id}/connections/").json()["room_ready"] is False
        sites = api_as(Staff.Role.CLERK, "4122").get("/api/sites/4122/meetings/").json()["meetings"]
        assert [entry["room_ready"] for entry in sites] == [False]
        from django.test import Client

        board = login(Staff.Role.SCHEDULER, "41", Client()).get(reverse("join:control-board")).content.decode()
        assert notice in board


def test_a_meeting_under_way_stays_on_a_server_whose_checks_fail_while_it_still_answers_for_the_room(
    fake_server, scheduler, django_capture_on_commit_callbacks, monkeypatch
):
    room = _under_way(scheduler, django_capture_on_commit_callbacks)
    monkeypatch.setattr(FakeBackend, "health", lambda self: False)  # /info times out; the room itself answers
    with time_machine.travel(room.meeting.start + timedelta(minutes=10), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        servers_check()
        servers_check()
        report = rooms_sweep()
    assert MediaServer.objects.get(pk=fake_server.pk).last_check_ok is False
    assert report.replaced == []
    room.refresh_from_db()
    assert (room.state, room.server_id) == (Room.State.PROVISIONED, fake_server.pk)
