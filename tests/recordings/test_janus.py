"""The chair switches the room's recording on the real Janus (Debian's package): `record` and `rec_dir` as Janus
reports them, the join page's sign while it records, and the chair's refusals in Thai."""

from __future__ import annotations

import pytest
from django.urls import reverse

from districts.models import Staff
from join.models import JoinPass
from join.services import join_passes_ensure
from meetings.models import MediaServer, Room
from recordings import services
from recordings.models import MeetingRecording
from tests.factories.districts import StaffFactory
from tests.factories.meetings import MediaServerFactory, MeetingFactory
from tests.services.janus import JanusServer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def janus():
    with JanusServer() as server:
        yield server


@pytest.fixture
def meeting(janus, monkeypatch, storage, db, django_capture_on_commit_callbacks):
    monkeypatch.setenv("JANUS_REC_ADMIN_SECRET", janus.admin_secret)
    monkeypatch.setenv("JANUS_REC_ADMIN_KEY", janus.admin_key)
    MediaServerFactory.create(name="janus-rec", kind=MediaServer.Kind.JANUS, url=janus.base_url,
                              admin_url=janus.admin_url, secret_env="JANUS_REC", capacity_sites=100)
    with django_capture_on_commit_callbacks(execute=True):  # the room is provisioned once the schedule commits
        meeting = MeetingFactory.create(host="41", sites=("41", "4101"))
    assert Room.objects.get(meeting=meeting).state == Room.State.PROVISIONED
    return meeting


def test_the_chair_starts_and_stops_the_rooms_recording_and_every_join_page_shows_it(
    janus, meeting, client, django_capture_on_commit_callbacks, settings
):
    settings.RECORDINGS_PROCESSING_BACKOFF = []
    staff = StaffFactory.create(role=Staff.Role.SCHEDULER, site_code="41")
    client.force_login(staff.user)
    join_passes_ensure(meeting=meeting)
    token = JoinPass.objects.filter(meeting=meeting, site__district__code="4101").first().token
    sign = reverse("recordings:pass-state", kwargs={"token": token})
    assert client.get(sign).json()["recording"] is False

    response = client.post(reverse("recordings:start", kwargs={"pk": meeting.pk}))
    assert response.status_code == 302
    recording = MeetingRecording.objects.get(meeting=meeting)
    assert recording.state == MeetingRecording.State.RECORDING
    room = janus.rooms()[meeting.room.number]
    assert room["record"] is True
    assert room["rec_dir"] == str(services.raw_dir(recording))
    assert services.raw_dir(recording).is_dir()
    assert client.get(sign).json()["recording"] is True
    page = client.get(reverse("recordings:meeting", kwargs={"pk": meeting.pk})).content.decode()
    assert "● กำลังบันทึก" in page
    assert 'id="recording-stop"' in page

    with django_capture_on_commit_callbacks(execute=True):  # the processing task, once the stop commits
        response = client.post(reverse("recordings:stop", kwargs={"pk": meeting.pk}))
    assert response.status_code == 302
    assert janus.rooms()[meeting.room.number]["record"] is False
    recording.refresh_from_db()
    # nothing was published in the room: nothing to process, a clear error kept on the row (no retries here)
    assert recording.state == MeetingRecording.State.FAILED
    assert "no raw recording" in recording.last_error
    assert client.get(sign).json()["recording"] is False


def test_starting_again_after_a_stop_is_refused_in_thai(meeting, client):
    staff = StaffFactory.create(role=Staff.Role.SCHEDULER, site_code="41")
    client.force_login(staff.user)
    assert client.post(f"/api/meetings/{meeting.pk}/recording/start/").status_code == 200
    assert client.post(f"/api/meetings/{meeting.pk}/recording/start/").json()["state"] == "recording"  # harmless
    assert client.post(f"/api/meetings/{meeting.pk}/recording/stop/").status_code == 200
    again = client.post(f"/api/meetings/{meeting.pk}/recording/start/")
    assert again.status_code == 400
    assert "เริ่มบันทึกใหม่ในการประชุมเดิมไม่ได้" in again.json()["non_field_errors"][0]
    stop = client.post(f"/api/meetings/{meeting.pk}/recording/stop/")
    assert stop.status_code == 400
    assert stop.json()["non_field_errors"] == ["ไม่ได้กำลังบันทึกอยู่: ไม่มีอะไรให้หยุด"]


def test_the_sweep_switches_the_recording_on_again_when_the_room_lost_it(janus, meeting):
    """A restarted Janus re-creates its rooms (the rooms sweep) without their recording: the recordings sweep, every
    minute, sees the room no longer records and switches it on again, into the same rec_dir."""
    scheduler = StaffFactory.create(role=Staff.Role.SCHEDULER, site_code="41").user
    recording = services.recording_start(meeting=meeting, by=scheduler)
    number = meeting.room.number
    janus.admin_message({"request": "enable_recording", "room": number, "secret": meeting.room.secret,
                         "record": False})
    assert janus.rooms()[number]["record"] is False
    services.recordings_sweep()
    assert janus.rooms()[number]["record"] is True
    assert janus.rooms()[number]["rec_dir"] == str(services.raw_dir(recording))
