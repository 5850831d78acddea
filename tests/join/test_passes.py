"""Join passes: one per site per meeting, unguessable, valid from 30 minutes before the start until the end,
revocable, the host's pass moderates; refused passes get a clear Thai page (never a 500), and the room's secret
never reaches a browser."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from join import services
from join.links import join_path, site_marker
from join.models import JoinPass
from meetings.models import MediaServer
from meetings.services.scheduling import meeting_cancel, meeting_update
from tests.factories.meetings import MediaServerFactory, site

from .conftest import HALL, KUMPHAWAPI, MUEANG, pass_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def call_config(response) -> dict:
    match = re.search(r'<script id="call-config" type="application/json">(.*?)</script>', response.content.decode())
    assert match, "the join page carries its configuration"
    return json.loads(match.group(1))


def test_one_pass_per_site_with_an_unguessable_token_and_the_host_moderates(fake_server, schedule):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI))
    passes = list(JoinPass.objects.filter(meeting=meeting).select_related("site__district", "site__province"))
    assert sorted(p.site.code for p in passes) == sorted([HALL, MUEANG, KUMPHAWAPI])
    assert len({p.token for p in passes}) == 3
    assert all(len(p.token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", p.token) for p in passes)
    assert [p.site.code for p in passes if p.is_moderator] == [HALL]
    assert pass_of(meeting, MUEANG).opens_at == meeting.start - timedelta(minutes=30)
    assert pass_of(meeting, MUEANG).closes_at == meeting.end

    assert services.join_passes_ensure(meeting=meeting) == []  # a second call adds nothing
    with pytest.raises(IntegrityError), transaction.atomic():
        JoinPass.objects.create(meeting=meeting, site=site(MUEANG), token="another-token")


def test_a_valid_pass_opens_the_janus_page_with_pin_and_room_but_never_the_secret(client, fake_server, schedule):
    meeting = schedule()
    join_pass = pass_of(meeting, MUEANG)
    response = client.get(join_path(join_pass.token))
    assert response.status_code == 200
    body = response.content.decode()
    config = call_config(response)
    assert config["room"] == meeting.room.number
    assert config["pin"] == meeting.room.pin
    assert config["display"] == site_marker(join_pass.site) == f"4101 · {join_pass.site.name}"
    assert config["moderator"] is False
    assert config["moderateUrl"] == ""
    assert meeting.room.secret not in body
    # Camera, microphone and screen capture for this origin only; never framed; the pass is not leaked as Referer.
    assert response["Permissions-Policy"].startswith("camera=(self), microphone=(self), display-capture=(self)")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"
    for script in ("join/vendor/adapter.min.js", "join/vendor/janus.min.js", "join/call.js"):
        assert script in body

    host = call_config(client.get(join_path(pass_of(meeting, HALL).token)))
    assert host["moderator"] is True
    assert host["moderateUrl"].endswith("/moderate/")


@pytest.mark.parametrize(
    ("case", "status", "thai"),
    [
        ("future", 403, "ยังไม่ถึงเวลาเข้าร่วมประชุม"),
        ("expired", 410, "การประชุมนี้สิ้นสุดแล้ว"),
        ("revoked", 410, "ลิงก์นี้ถูกยกเลิกแล้ว"),
        ("cancelled", 410, "การประชุมนี้ถูกยกเลิกแล้ว"),
        ("removed", 410, "สถานที่นี้ไม่ได้อยู่ในการประชุมนี้แล้ว"),
    ],
)
@pytest.mark.usefixtures("fake_server")
def test_a_pass_out_of_its_window_or_revoked_is_refused_with_a_clear_thai_page(client, schedule, case, status, thai):
    meeting = schedule(starts_in=120)  # the window opens 30 minutes before: in 90 minutes
    join_pass = pass_of(meeting, KUMPHAWAPI)
    travel = None
    if case == "expired":
        travel = time_machine.travel(meeting.end + timedelta(seconds=1), tick=False)
    elif case == "revoked":
        travel = time_machine.travel(meeting.start, tick=False)
        services.join_pass_revoke(join_pass=join_pass, reason="ลิงก์หลุด", reissue=False)
    elif case == "cancelled":
        with schedule.committed():
            meeting_cancel(meeting=meeting, by=schedule.scheduler)
    elif case == "removed":
        with schedule.committed():
            meeting_update(meeting=meeting, sites=[site(MUEANG)], by=schedule.scheduler)
    if travel:
        travel.start()
    try:
        response = client.get(join_path(join_pass.token))
    finally:
        if travel:
            travel.stop()
    assert response.status_code == status
    body = response.content.decode()
    assert thai in body
    assert "call-config" not in body
    assert meeting.room.pin not in body
    assert meeting.room.secret not in body
    assert response["Referrer-Policy"] == "same-origin"
    # Before the start, the page still offers a test call; after the end, revoked or cancelled it does not.
    assert ("ทดสอบกล้อง ไมโครโฟน และเครือข่ายตอนนี้" in body) == (case == "future")


def test_the_window_opens_thirty_minutes_before_the_start_and_closes_at_the_end(client, fake_server, schedule):
    meeting = schedule(starts_in=120)
    token = pass_of(meeting, MUEANG).token
    with time_machine.travel(meeting.start - timedelta(minutes=30, seconds=1), tick=False):
        assert client.get(join_path(token)).status_code == 403
    with time_machine.travel(meeting.start - timedelta(minutes=30), tick=False):
        assert client.get(join_path(token)).status_code == 200
    with time_machine.travel(meeting.end - timedelta(seconds=1), tick=False):
        assert client.get(join_path(token)).status_code == 200
    with time_machine.travel(meeting.end, tick=False):
        assert client.get(join_path(token)).status_code == 410


def test_an_unknown_or_altered_token_is_a_thai_not_found(client, fake_server, schedule):
    meeting = schedule()
    token = pass_of(meeting, MUEANG).token
    for wrong in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 43, "x" * 200):
        response = client.get(join_path(wrong))
        assert response.status_code == 404
        assert "ไม่พบลิงก์เข้าร่วมประชุมนี้" in response.content.decode()


def test_revoking_with_reissue_gives_the_site_a_new_working_link(client, fake_server, schedule):
    meeting = schedule()
    old = pass_of(meeting, MUEANG)
    new = services.join_pass_revoke(join_pass=old, reason="ส่งลิงก์ผิดกลุ่ม LINE")
    assert new is not None
    assert new.token != old.token
    assert client.get(join_path(old.token)).status_code == 410
    assert client.get(join_path(new.token)).status_code == 200


def test_a_room_not_provisioned_yet_is_a_503_page_not_a_crash(client, db, schedule):
    # No media server at all: the room waits for one; the pass opens at its time onto a clear "not ready" page.
    meeting = schedule()
    assert meeting.room.server is None
    response = client.get(join_path(pass_of(meeting, MUEANG).token))
    assert response.status_code == 503
    assert "ห้องประชุมยังไม่พร้อม" in response.content.decode()


def test_for_jitsi_the_link_redirects_to_the_room_with_the_sites_jwt(client, schedule, monkeypatch):
    import jwt

    monkeypatch.setenv("JITSI_TEST_APP_SECRET", "s" * 40)
    MediaServerFactory.create(
        name="jitsi", kind=MediaServer.Kind.JITSI, url="https://meet.example.go.th", secret_env="JITSI_TEST",
        options={"app_id": "prachum"},
    )
    meeting = schedule()
    response = client.get(join_path(pass_of(meeting, HALL).token))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"https://meet.example.go.th/{meeting.room.name}?jwt=")
    claims = jwt.decode(location.split("jwt=")[1], "s" * 40, algorithms=["HS256"], audience="jitsi",
                        options={"verify_aud": False})
    assert claims["room"] == meeting.room.name
    assert claims["context"]["user"]["name"].startswith("41 · ")
    assert claims["context"]["user"]["moderator"] == "true"
    assert meeting.room.secret not in location
    # The token ends with the meeting (and a short grace), not hours later; a revoked link gets none.
    assert claims["exp"] == int((meeting.end + timedelta(minutes=10)).timestamp())
    leaked = pass_of(meeting, HALL)
    services.join_pass_revoke(join_pass=leaked, reason="รั่วไหล", reissue=False)
    refused = client.get(join_path(leaked.token))
    assert refused.status_code in {403, 404, 410}
    assert "jwt=" not in refused.get("Location", "")


def test_a_jitsi_token_never_outlives_its_meeting_and_an_ended_meeting_gets_none(schedule, monkeypatch):
    from meetings.backends.base import MediaServerError
    from meetings.services.reservations import room_join_target

    monkeypatch.setenv("JITSI_TEST_APP_SECRET", "s" * 40)
    MediaServerFactory.create(
        name="jitsi", kind=MediaServer.Kind.JITSI, url="https://meet.example.go.th", secret_env="JITSI_TEST",
        options={"app_id": "prachum"},
    )
    meeting = schedule(starts_in=60 * 24)  # tomorrow: the token's 4 hours end long before the meeting does
    room = meeting.room
    import jwt

    def expiry() -> int:
        url = room_join_target(room=room, site=site(HALL)).url
        return jwt.decode(url.split("jwt=")[1], options={"verify_signature": False})["exp"]

    assert abs(expiry() - int((timezone.now() + timedelta(hours=4)).timestamp())) <= 2
    with time_machine.travel(meeting.end - timedelta(minutes=5), tick=False):
        assert expiry() == int((meeting.end + timedelta(minutes=10)).timestamp())
    with time_machine.travel(meeting.end + timedelta(minutes=11), tick=False), pytest.raises(MediaServerError):
        room_join_target(room=room, site=site(HALL))


@pytest.mark.urls("tests.join.short_urls")
def test_with_the_short_route_mounted_links_are_j_token_and_work(client, fake_server, schedule):
    meeting = schedule(sites=(MUEANG,))
    token = pass_of(meeting, MUEANG).token
    assert join_path(token) == f"/j/{token}/"
    assert client.get(f"/j/{token}/").status_code == 200
    assert call_config(client.get(f"/j/{pass_of(meeting, HALL).token}/"))["moderateUrl"].startswith("/j/")
