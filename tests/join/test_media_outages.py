"""A Janus that goes away and comes back, on the real server (issue 13, item 3): a meeting that must move leaves no
copy of its room (nor its tokens) behind; after a 4-minute outage the room and its tokens are back at the first
health check that finds Janus answering (beat runs it every 60 s); meanwhile the pages say so."""

from __future__ import annotations

import os
import signal
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from districts.models import Staff
from join import tasks
from meetings.models import LeftoverRoom, MediaServer, Meeting, Room
from meetings.services import rooms_sweep, servers_check
from tests.factories.meetings import MediaServerFactory
from tests.services.janus import JanusServer

from .conftest import HALL, KUMPHAWAPI, MUEANG, pass_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

NOTICE = "ห้องประชุมยังไม่พร้อม — กำลังเชื่อมต่อใหม่"


@pytest.fixture
def second_janus(monkeypatch, db):
    """Another real Janus, with its MediaServer row (placed after the first: the first takes new meetings)."""
    with JanusServer() as server:
        monkeypatch.setenv("JANUS_TWO_ADMIN_SECRET", server.admin_secret)
        monkeypatch.setenv("JANUS_TWO_ADMIN_KEY", server.admin_key)
        row = MediaServerFactory.create(
            name="janus-two", kind=MediaServer.Kind.JANUS, url=server.base_url, admin_url=server.admin_url,
            secret_env="JANUS_TWO", capacity_sites=500,
        )
        yield server, row


def test_a_room_moved_off_a_failing_janus_is_destroyed_there_with_its_tokens_when_it_answers_again(
    janus, janus_server, second_janus, schedule
):
    two, two_row = second_janus
    # In 33 minutes: its passes' tokens are on the server already, but nobody may enter yet (not under way).
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI), starts_in=33)
    room = Room.objects.get(meeting=meeting)
    assert room.server == janus_server
    tokens = {pass_of(meeting, code).media_token for code in (HALL, MUEANG, KUMPHAWAPI)}
    assert tokens <= janus.tokens()

    os.kill(janus.pid, signal.SIGSTOP)  # Janus hangs (not a restart: it keeps its rooms and tokens)
    try:
        with schedule.committed():
            servers_check()
            servers_check()  # two failed checks in a row: failing
            rooms_sweep()  # the meeting is not under way: its room moves to the other server
    finally:
        os.kill(janus.pid, signal.SIGCONT)
    room.refresh_from_db()
    assert room.server == two_row
    assert room.number in two.rooms()
    assert tokens <= two.tokens()
    assert LeftoverRoom.objects.filter(server=janus_server, number=room.number).exists()
    assert room.number in janus.rooms()  # the copy left behind, with its pin ...

    with schedule.committed():
        servers_check()  # the first Janus answers again
        rooms_sweep()  # ... destroyed there
        tasks.attendance_sweep()  # and the tokens of a room it no longer holds removed
    assert room.number not in janus.rooms()
    assert not tokens & janus.tokens()
    assert not LeftoverRoom.objects.exists()
    assert room.number in two.rooms()  # the meeting's room where its sites will be
    assert tokens <= two.tokens()


def test_after_four_minutes_down_the_room_and_its_tokens_are_back_at_the_first_check_that_finds_janus(
    janus, janus_server, schedule, login
):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI), starts_in=10)  # under way: its sites may be entering
    room = Room.objects.get(meeting=meeting)
    tokens = {pass_of(meeting, code).media_token for code in (HALL, MUEANG, KUMPHAWAPI)}
    clerk = login(Staff.Role.CLERK, MUEANG)
    site_page = reverse("site:page", kwargs={"code": MUEANG})
    assert NOTICE not in clerk.get(site_page).content.decode()

    janus.stop()
    down_at = timezone.now()
    with schedule.committed():
        servers_check()
        assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.READY  # one failed probe moves nothing
        rooms_sweep()
        assert Room.objects.get(pk=room.pk).server == janus_server
        servers_check()
        rooms_sweep()  # failing, and it does not answer for the room: the room is on no server now
    assert Room.objects.get(pk=room.pk).server is None
    assert NOTICE in clerk.get(site_page).content.decode()
    board = login(Staff.Role.SCHEDULER, HALL, Client()).get(reverse("join:control-board")).content.decode()
    assert NOTICE in board

    for minute in range(1, 5):  # four minutes of checks and sweeps finding nothing
        with time_machine.travel(down_at + timedelta(minutes=minute), tick=False), schedule.committed():
            servers_check()
            rooms_sweep()
    assert Room.objects.get(pk=room.pk).server is None

    janus.start()  # back, empty: Janus keeps no room and no token across a restart
    with time_machine.travel(down_at + timedelta(minutes=4, seconds=30), tick=False), schedule.committed():
        servers_check()  # the first check that finds it answering: nothing else runs before the assertions
    room.refresh_from_db()
    assert (room.server, room.state) == (janus_server, Room.State.PROVISIONED)
    assert room.number in janus.rooms()
    assert tokens <= janus.tokens()
    assert NOTICE not in clerk.get(site_page).content.decode()

    with schedule.committed():
        rooms_sweep()  # the row it left behind names the room that is live there again: it stays
    assert room.number in janus.rooms()
    assert not LeftoverRoom.objects.exists()
