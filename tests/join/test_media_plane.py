"""The media plane is closed to outsiders (issue 13): the real Janus, with token_auth as every Janus prachum
configures, lets a browser in only with the token of a join pass (or test call) the portal added while that pass
may be used. These tests attack it as an outsider would, then follow a pass's token through revocation,
cancellation, the meeting's window and a restart of Janus."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from join import services, tasks
from join.links import join_path
from meetings.backends.janus import MAX_ROOM_ID
from meetings.services.rooms import rooms_sweep
from meetings.services.scheduling import meeting_cancel, meeting_update
from tests.factories.meetings import site
from tests.services.janus import JoinRefused, RawParticipant

from .conftest import HALL, KUMPHAWAPI, MUEANG, pass_of
from .test_passes import call_config

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

UNAUTHORIZED = 403  # Janus core: "Unauthorized request (wrong or missing secret/token)"


def post(url: str, payload: dict) -> dict:
    return requests.post(url, json={"transaction": secrets.token_hex(4), **payload}, timeout=5).json()


def test_an_outsider_gets_no_session_no_room_no_participant_list_and_no_join(janus, janus_server, schedule):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI))
    room = meeting.room
    base = janus.base_url
    # The room exists, with its sites' tokens on the server, from the moment the meeting was scheduled.
    assert room.number in janus.rooms()
    assert pass_of(meeting, MUEANG).media_token in janus.tokens()
    # Room numbers are drawn at random: nothing to count from the meeting's id.
    assert 10**9 <= room.number <= MAX_ROOM_ID
    assert room.number != 100_000 + meeting.pk

    # `info` names the server and its plugins, nothing about rooms: it is all an outsider gets.
    assert requests.get(f"{base}/info", timeout=5).json()["janus"] == "server_info"
    # No session without a token, nor with a made-up one...
    for attempt in ({}, {"token": secrets.token_urlsafe(32)}, {"token": ""}, {"apisecret": "janusrocks"}):
        answer = post(base, {"janus": "create", **attempt})
        assert (answer["janus"], answer["error"]["code"]) == ("error", UNAUTHORIZED), attempt
    # ... so no handle, no `exists`, no `listparticipants`, whatever room number is tried (counting from the old
    # scheme around the meeting's id, and the real one).
    for number in [room.number, *range(100_000 + meeting.pk - 5, 100_000 + meeting.pk + 5)]:
        for body in ({"request": "exists", "room": number}, {"request": "listparticipants", "room": number}):
            answer = post(f"{base}/1/1", {"janus": "message", "body": body})
            assert (answer["janus"], answer["error"]["code"] in (UNAUTHORIZED, 458)) == ("error", True), answer
    # A thousand PIN guesses: every one is refused before the room is even looked at.
    with requests.Session() as http:
        refused = 0
        for guess in range(1000):
            answer = http.post(f"{base}/1/1", json={"janus": "message", "transaction": str(guess), "body": {
                "request": "join", "ptype": "publisher", "room": room.number, "pin": f"{guess:06d}"}}, timeout=5)
            refused += answer.json()["error"]["code"] in (UNAUTHORIZED, 458)
        assert refused == 1000
    with pytest.raises(JoinRefused, match="403"):
        RawParticipant(janus, room.number, display="x", pin=room.pin, token="").join()
    assert post(janus.admin_url, {"janus": "list_tokens", "admin_secret": "guess"})["error"]["code"] == UNAUTHORIZED

    # Even a holder of some valid token (another meeting's site) finds no room to enter: private rooms are not
    # listed, and nothing tells it the number.
    with RawParticipant(janus, room.number, display="x", pin=room.pin) as other:
        other.join()  # (knows the number and the pin here only because the test does)
        listed = other._post(f"/{other.session_id}", {"janus": "attach", "plugin": "janus.plugin.videoroom"})
        handle = listed["data"]["id"]
        answer = other._post(f"/{other.session_id}/{handle}", {"janus": "message", "body": {"request": "list"}})
        assert room.number not in {r["room"] for r in answer["plugindata"]["data"]["list"]}


def test_the_join_page_gives_its_pass_token_and_that_token_enters_the_room(client, janus, janus_server, schedule):
    meeting = schedule(sites=(MUEANG,))
    join_pass = pass_of(meeting, MUEANG)
    config = call_config(client.get(join_path(join_pass.token)))
    assert config["token"] == join_pass.media_token != join_pass.token  # not the link: never in a URL
    with RawParticipant(janus, config["room"], display=config["display"], pin=config["pin"],
                        token=config["token"]) as site_browser:
        assert site_browser.join()["videoroom"] == "joined"


def test_a_revoked_pass_opens_no_new_session_and_a_cancelled_meetings_tokens_are_gone(janus, janus_server, schedule):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI))
    old = pass_of(meeting, MUEANG)
    with schedule.committed():  # the sync is sent on commit (a worker runs it at once; eager here)
        fresh = services.join_pass_renew(meeting=meeting, site=old.site)
    tokens = janus.tokens()
    assert old.media_token not in tokens
    assert fresh.media_token in tokens
    with pytest.raises(JoinRefused, match="403"):
        RawParticipant(janus, meeting.room.number, display="x", pin=meeting.room.pin, token=old.media_token).join()
    with RawParticipant(janus, meeting.room.number, display="x", pin=meeting.room.pin,
                        token=fresh.media_token) as renewed:
        assert renewed.join()["videoroom"] == "joined"

    with schedule.committed():
        meeting_cancel(meeting=meeting, by=schedule.scheduler)
    left = janus.tokens()
    assert not {p.media_token for p in meeting.join_passes.all()} & left
    assert meeting.room.number not in janus.rooms()


def test_a_site_taken_off_the_meeting_loses_its_token(janus, janus_server, schedule):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI))
    leaving, staying = pass_of(meeting, KUMPHAWAPI).media_token, pass_of(meeting, MUEANG).media_token
    assert {leaving, staying} <= janus.tokens()
    with schedule.committed():
        meeting_update(meeting=meeting, sites=[site(MUEANG)], by=schedule.scheduler)
    assert leaving not in janus.tokens()
    assert staying in janus.tokens()


def test_tokens_are_there_only_in_the_passes_window(janus, janus_server, schedule):
    later = schedule(sites=(MUEANG,), starts_in=240)  # in 4 hours: its window opens in 3 h 30
    ahead = pass_of(later, MUEANG).media_token
    assert ahead not in janus.tokens()
    services.media_tokens_sync(server_id=janus_server.pk, now=later.start - timedelta(minutes=34))
    assert ahead in janus.tokens()  # a little before the window opens
    services.media_tokens_sync(server_id=janus_server.pk, now=later.end + timedelta(minutes=11))
    assert ahead not in janus.tokens()  # the meeting's end and its grace are over
    assert services.media_tokens_sync(server_id=janus_server.pk).removed == 0  # in step: nothing to do


def test_after_a_janus_restart_the_sweep_puts_the_rooms_and_tokens_back(janus, janus_server, schedule):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI))
    wanted = {pass_of(meeting, code).media_token for code in (HALL, MUEANG, KUMPHAWAPI)}
    janus.restart()  # rooms and tokens live in memory: both gone
    assert not wanted & janus.tokens()
    with schedule.committed():
        rooms_sweep(now=timezone.now())  # finds the room gone and makes it again, then its server's tokens
    assert meeting.room.number in janus.rooms()
    assert wanted <= janus.tokens()
    janus.restart()
    tasks.attendance_sweep()  # the 10-second sweep alone brings the tokens back too
    assert wanted <= janus.tokens()
