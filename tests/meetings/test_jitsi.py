"""Jitsi: the reservation endpoint driven exactly as Prosody's mod_reservations drives it, and join tokens
verified with PyJWT under Prosody's rules (HS256, iss/aud/sub/room claims, numeric exp and nbf, no leeway)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

import jwt
import pytest
from django.utils import timezone

from meetings.models import MediaServer, Room
from meetings.services.reservations import room_join_target
from tests.factories.meetings import MediaServerFactory, MeetingFactory, site

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL

TOKEN = "reservation-token-for-tests"
PREFIX = f"/meetings/jitsi/reservations/{TOKEN}"
APP_SECRET = "jitsi-app-secret-for-tests-0123456789abcdef"


@pytest.fixture
def jitsi_server(db, settings, monkeypatch):
    settings.MEETINGS_JITSI_RESERVATION_TOKEN = TOKEN
    monkeypatch.setenv("JITSI_TEST_APP_SECRET", APP_SECRET)
    return MediaServerFactory.create(
        name="jitsi", kind=MediaServer.Kind.JITSI, url="https://meet.example.go.th",
        options={"app_id": "prachum", "audience": "jitsi"}, secret_env="JITSI_TEST",
    )


@pytest.fixture
def room(jitsi_server, scheduler, django_capture_on_commit_callbacks) -> Room:
    start = (timezone.now() + timedelta(minutes=10)).replace(second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = MeetingFactory.create(sites=("4101", "4122"), start=start, end=start + timedelta(hours=1),
                                        created_by=scheduler)
    room = Room.objects.select_related("meeting", "server").get(meeting=meeting)
    assert room.server == jitsi_server
    assert room.state == Room.State.PROVISIONED
    return room


def prosody_post(client, form: dict, prefix: str = PREFIX):
    """What mod_reservations sends: a form-encoded POST to <prefix>/conference."""
    return client.post(f"{prefix}/conference", data=urlencode(form),
                       content_type="application/x-www-form-urlencoded")


def start_time(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def test_reservation_flow_as_prosody_drives_it(client, room):
    opened = timezone.now().replace(microsecond=123000)
    form = {"name": room.name, "start_time": start_time(opened), "mail_owner": "owner@example.go.th"}

    first = prosody_post(client, form)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/json"
    body = first.json()
    expected_duration = int((room.meeting.end + timedelta(minutes=30) - opened).total_seconds())
    assert body == {
        "id": str(room.pk), "name": room.name, "mail_owner": "owner@example.go.th", "start_time": form["start_time"],
        "duration": expected_duration, "max_occupants": room.publishers + 10,
    }

    second = prosody_post(client, {**form, "start_time": start_time(opened + timedelta(seconds=5))})
    assert second.status_code == 409
    assert second.json() == {"conflict_id": str(room.pk)}

    again = client.get(f"{PREFIX}/conference/{second.json()['conflict_id']}")
    assert again.status_code == 200
    assert again.json() == body

    assert client.delete(f"{PREFIX}/conference/{room.pk}").status_code == 200
    gone = client.get(f"{PREFIX}/conference/{room.pk}")
    assert gone.status_code == 404
    assert gone.json()["message"]
    assert prosody_post(client, form).status_code == 200  # the room may be opened again in its window


def test_unknown_room_outside_window_cancelled_and_bad_requests_are_refused_in_thai(
    client, room, scheduler, django_capture_on_commit_callbacks
):
    now = start_time(timezone.now())
    unknown = prosody_post(client, {"name": "no-such-room", "start_time": now, "mail_owner": ""})
    assert unknown.status_code == 404
    assert "ไม่มีห้องประชุมนี้" in unknown.json()["message"]

    with django_capture_on_commit_callbacks(execute=True):
        tomorrow = MeetingFactory.create(sites=("4103",), created_by=scheduler)
    later = prosody_post(client, {"name": tomorrow.room.name, "start_time": now, "mail_owner": ""})
    assert later.status_code == 403
    assert "เปิดได้ก่อนเวลาประชุม 30 นาที" in later.json()["message"]

    bad_time = prosody_post(client, {"name": room.name, "start_time": "yesterday", "mail_owner": ""})
    assert bad_time.status_code == 400
    assert bad_time.json()["message"].startswith("คำขอไม่ถูกต้อง")

    from meetings.services.scheduling import meeting_cancel

    meeting_cancel(meeting=room.meeting)
    cancelled = prosody_post(client, {"name": room.name, "start_time": now, "mail_owner": ""})
    assert cancelled.status_code == 403
    assert "ยกเลิก" in cancelled.json()["message"]


def test_wrong_or_unset_token_is_refused(client, room, settings):
    form = {"name": room.name, "start_time": start_time(timezone.now()), "mail_owner": ""}
    assert prosody_post(client, form, prefix="/meetings/jitsi/reservations/wrong").status_code == 403
    settings.MEETINGS_JITSI_RESERVATION_TOKEN = ""
    assert prosody_post(client, form).status_code == 403
    assert not Room.objects.exclude(reservation_start="").exists()


def test_join_tokens_are_what_prosody_accepts(room):
    host = room_join_target(room=room, site=site("41"), display="ศาลากลางจังหวัดอุดรธานี")
    district = room_join_target(room=room, site=site("4122"), display="อำเภอนายูง")
    for target, moderator in ((host, True), (district, False)):
        url = urlsplit(target.url)
        assert (url.scheme, url.netloc, url.path) == ("https", "meet.example.go.th", f"/{room.name}")
        token = url.query.removeprefix("jwt=")
        header = jwt.get_unverified_header(token)
        assert header["alg"] == "HS256"
        claims = jwt.decode(
            token, APP_SECRET, algorithms=["HS256"], audience="jitsi", issuer="prachum", leeway=0,
            options={"require": ["iss", "aud", "sub", "room", "exp", "nbf"]},
        )
        assert claims["room"] == room.name == room.name.lower()
        assert claims["sub"] == "meet.example.go.th"
        assert isinstance(claims["exp"], int)
        assert isinstance(claims["nbf"], int)
        assert claims["nbf"] <= timezone.now().timestamp() < claims["exp"]
        user = claims["context"]["user"]
        assert user["name"] == target.display
        assert (user.get("moderator") == "true") is moderator
        assert room.secret not in target.url
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(token, "another-secret-of-at-least-32-bytes!!", algorithms=["HS256"], audience="jitsi")


def test_a_jitsi_room_nobody_joined_yet_is_not_taken_for_a_lost_one(room):
    from meetings.services import rooms_sweep

    report = rooms_sweep(now=timezone.now())  # its server (meet.example.go.th) is never asked: nothing to re-create
    assert (report.recreated, report.unreachable_servers) == ([], [])
    room.refresh_from_db()
    assert (room.state, room.provisioned_version) == (Room.State.PROVISIONED, room.desired_version)


def test_one_bad_jitsi_row_stops_neither_health_nor_the_other_rooms(
    client, jitsi_server, fake_server, scheduler, django_capture_on_commit_callbacks
):
    """A Jitsi row without app_id (what media_server_ensure used to make) is that row's error, nobody else's."""
    from django.core.management import call_command

    from meetings.services import rooms_provision, servers_check

    MediaServer.objects.filter(pk=jitsi_server.pk).update(options={})
    start = (timezone.now() + timedelta(hours=2)).replace(second=0, microsecond=0)
    meetings = [MeetingFactory.create(sites=(code,), start=start + timedelta(hours=2 * i),
                                      end=start + timedelta(hours=2 * i + 1), created_by=scheduler)
                for i, code in enumerate(("4101", "4122"))]
    rooms = [Room.objects.get(meeting=meeting) for meeting in meetings]
    Room.objects.filter(pk=rooms[0].pk).update(server=jitsi_server, kind="jitsi", state=Room.State.PENDING)
    Room.objects.filter(pk=rooms[1].pk).update(server=fake_server, kind="fake", state=Room.State.PENDING)
    outcomes = {result.room_id: result.outcome for result in rooms_provision(room_ids=[r.pk for r in rooms])}
    assert outcomes == {rooms[0].pk: "failed", rooms[1].pk: "provisioned"}
    assert "app_id" in Room.objects.get(pk=rooms[0].pk).last_error
    health = client.get("/healthz")
    assert health.status_code in (200, 503)  # never a 500
    assert health.json()["checks"]["media:jitsi"] == {"ok": False, "kind": "jitsi", "error": "PermanentMediaError"}
    assert servers_check()["jitsi"] is False  # recorded on its row, the others checked too
    assert servers_check()[fake_server.name] is True

    call_command("media_server_ensure", "jitsi", "jitsi", "https://meet.example.go.th", "--secret-env", "JITSI_TEST",
                 "--option", "app_id=prachum", "--option", "audience=jitsi")
    assert MediaServer.objects.get(pk=jitsi_server.pk).options == {"app_id": "prachum", "audience": "jitsi"}
