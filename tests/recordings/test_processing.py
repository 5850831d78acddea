"""Processing a meeting's raw recordings once: janus-pp-rec and ffmpeg for real, on raw files as Janus writes them
(made from ffmpeg test sources, tests/recordings/mjr_source.py); the row's states, attempts, retries and leases."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from recordings import processing, services
from recordings.models import MeetingRecording, RecordingFile

from .conftest import stopped_recording
from .mjr_source import write_meeting

pytestmark = pytest.mark.integration
State = MeetingRecording.State


def probe(path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_type,codec_name",
                          "-of", "json", str(path)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


@pytest.mark.unit
def test_the_processing_makes_one_file_per_site_and_a_mixed_grid_of_the_whole_meeting(tmp_path):
    write_meeting(tmp_path / "raw", room=7, sites=3, seconds=8, stagger_seconds=2)
    outputs = processing.process(tmp_path / "raw", tmp_path / "out", names={"1000": "41", "1001": "4101"})
    names = sorted(o.name for o in outputs)
    assert names == ["41.webm", "4101.webm", "meeting-mixed.webm", "site-1002.webm"]
    mixed = probe(tmp_path / "out" / "meeting-mixed.webm")
    assert sorted(s["codec_type"] for s in mixed["streams"]) == ["audio", "video"]
    assert float(mixed["format"]["duration"]) == pytest.approx(8, abs=0.3)  # the first site's whole length
    late = next(o for o in outputs if o.participant == "1002")
    assert late.offset == pytest.approx(4, abs=0.01)
    assert late.duration == pytest.approx(4, abs=0.3)
    site = probe(tmp_path / "out" / "41.webm")
    assert sorted((s["codec_type"], s["codec_name"]) for s in site["streams"]) == [("audio", "opus"),
                                                                                  ("video", "vp8")]
    assert not (tmp_path / "out" / "work").exists()


@pytest.mark.unit
def test_nothing_recorded_is_a_clear_error(tmp_path):
    (tmp_path / "raw").mkdir()
    with pytest.raises(processing.ProcessingError, match="no raw recording"):
        processing.process(tmp_path / "raw", tmp_path / "out")


def test_a_stopped_recording_becomes_ready_once_with_its_files(storage, meeting):
    recording = stopped_recording(meeting)
    assert services.recording_process(recording_id=recording.pk) == ("ready", 0)
    recording.refresh_from_db()
    assert recording.state == State.READY
    assert recording.attempts == 1
    assert recording.lease_until is None
    files = {f.kind: f for f in recording.files.all()}
    assert set(files) == {RecordingFile.Kind.SITE, RecordingFile.Kind.MIXED}
    assert recording.files.filter(kind=RecordingFile.Kind.SITE).count() == 3
    assert sorted(f.site.code for f in recording.files.filter(kind=RecordingFile.Kind.SITE)) == ["41", "4101",
                                                                                                 "4102"]
    for row in recording.files.all():
        path = services.stored_path(row)
        assert path.is_file()
        assert path.stat().st_size == row.size
        assert len(row.sha256) == 64
    assert not list(services.files_dir(recording).glob(".tmp-*"))
    # a second delivery of the task (acks_late after a crash, or the sweep) finds it done and does nothing
    assert services.recording_process(recording_id=recording.pk) == ("skipped", 0)
    recording.refresh_from_db()
    assert recording.attempts == 1
    assert recording.files.count() == 4


def test_a_row_held_by_another_worker_is_left_alone_and_taken_over_after_its_lease(storage, meeting):
    recording = stopped_recording(meeting)
    MeetingRecording.objects.filter(pk=recording.pk).update(lease_until=timezone.now() + timedelta(minutes=5),
                                                            attempts=1)
    assert services.recording_process(recording_id=recording.pk) == ("skipped", 0)
    assert services.recordings_sweep()["sent"] == 0  # in flight: not sent again
    MeetingRecording.objects.filter(pk=recording.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    # the sweep sends it again (eager here: processed at once by the task)
    assert services.recordings_sweep()["sent"] == 1
    recording.refresh_from_db()
    assert recording.state == State.READY
    assert recording.attempts == 2
    assert recording.files.count() == 4


def test_the_worker_whose_lease_was_taken_over_throws_its_work_away(storage, meeting):
    recording = stopped_recording(meeting)
    attempt, claimed = services._claim(recording.pk)
    work = services.files_dir(claimed) / ".tmp-old"
    outputs = processing.process(services.raw_dir(claimed), work)
    # meanwhile its lease ran out and another worker took the row (attempt 2)
    MeetingRecording.objects.filter(pk=recording.pk).update(attempts=attempt + 1)
    assert services._done(recording_id=recording.pk, attempt=attempt, work=work, outputs=outputs, digests={},
                          seconds=1.0) == "superseded"
    assert not work.exists()
    assert RecordingFile.objects.filter(recording=recording).count() == 0


def test_a_failing_processing_is_retried_with_backoff_then_failed(storage, meeting, settings):
    settings.RECORDINGS_PROCESSING_BACKOFF = [0, 0]
    recording = services.recording_ensure(meeting=meeting)
    services.raw_dir(recording).mkdir(parents=True)
    (services.raw_dir(recording) / "videoroom-1-user-5-1-video-1.mjr").write_bytes(b"not a recording" * 10)
    MeetingRecording.objects.filter(pk=recording.pk).update(state=State.PROCESSING)
    assert services.recording_process(recording_id=recording.pk)[0] == "retry"
    assert services.recording_process(recording_id=recording.pk)[0] == "retry"
    assert services.recording_process(recording_id=recording.pk)[0] == "failed"
    recording.refresh_from_db()
    assert recording.state == State.FAILED
    assert recording.attempts == 3
    assert "MJR00002" in recording.last_error
