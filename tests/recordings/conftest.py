"""Fixtures of the recordings tests: the storage directories in a temporary place, a meeting with its room, and a
recording made of raw files as Janus writes them (tests/recordings/mjr_source.py)."""

from __future__ import annotations

import pytest

from meetings.backends.fake import FakeBackend
from meetings.models import MediaServer
from recordings import services
from recordings.models import MeetingRecording
from tests.factories.meetings import MediaServerFactory, MeetingFactory

from .mjr_source import write_meeting


@pytest.fixture
def storage(settings, tmp_path):
    settings.RECORDINGS_RAW_ROOT = tmp_path / "raw"
    settings.RECORDINGS_ROOT = tmp_path / "recordings"
    settings.RECORDINGS_JANUS_ROOT = ""
    settings.RECORDINGS_ACCEL_REDIRECT = ""
    return tmp_path


@pytest.fixture
def fake_media(db):
    FakeBackend.reset()
    server = MediaServerFactory.create(name="fake-recordings", kind=MediaServer.Kind.FAKE)
    yield server
    FakeBackend.reset()


@pytest.fixture
def meeting(fake_media):
    """A meeting of the hall with Mueang (4101) and Kut Chap (4102)."""
    return MeetingFactory.create(host="41", sites=("41", "4101", "4102"))


def stopped_recording(meeting, *, seconds: float = 6, sites: int = 3) -> MeetingRecording:
    """The meeting's recording as it is once the chair stopped it: raw files in its rec_dir (one publisher per
    site: the hall, 4101, 4102), the participants Janus listed, state processing (not yet claimed)."""
    recording = services.recording_ensure(meeting=meeting)
    room = meeting.room.number if hasattr(meeting, "room") else 1
    write_meeting(services.raw_dir(recording), room=room, sites=sites, seconds=seconds)
    codes = ["41", "4101", "4102"]
    recording.participants = {str(1000 + index): f"{codes[index % 3]} · สถานที่" for index in range(sites)}
    recording.state = MeetingRecording.State.PROCESSING
    recording.expires_at = meeting.end
    recording.save()
    return recording
