"""Processing survives a worker killed with SIGKILL: a real Celery worker process (tests/services/celery_worker.py)
on the test's Redis and database is killed while ffmpeg works on a recording; its lease runs out, the sweep sends
the row again, a new worker processes it, and the recording ends ready once, with one set of files."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time

import pytest
from django.db import connection

from foundation.enqueue import task_send
from recordings import services
from recordings.models import MeetingRecording
from tests.services.celery_worker import CeleryWorker, publishing_to
from tests.services.redis import RedisServer

from .conftest import stopped_recording

pytestmark = pytest.mark.integration
LEASE_SECONDS = 15


@pytest.fixture(scope="module")
def redis():
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="module")
def broker(redis):
    """This process publishes to the test's Redis instead of running tasks in-process."""
    with publishing_to(redis.url) as app:
        yield app


@pytest.fixture
def worker_env(broker, redis, storage, transactional_db, settings):
    settings.RECORDINGS_PROCESSING_LEASE_SECONDS = LEASE_SECONDS
    database = connection.settings_dict
    return {
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_BROKER_URL": redis.url,
        "PRACHUM_RECORDINGS_RAW_ROOT": str(settings.RECORDINGS_RAW_ROOT),
        "PRACHUM_RECORDINGS_ROOT": str(settings.RECORDINGS_ROOT),
        "PRACHUM_RECORDINGS_LEASE_SECONDS": str(LEASE_SECONDS),
    }


def wait_for(condition, *, timeout: float, what: str, worker: CeleryWorker, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout} s\n{worker.log()[-3000:]}")


def test_a_worker_killed_during_processing_the_recording_still_ends_ready_processed_once(worker_env, meeting):
    recording = stopped_recording(meeting, seconds=60, sites=3)
    first = CeleryWorker(env=worker_env, concurrency=1).start()
    try:
        assert task_send("recordings.process", recording.pk)
        row = MeetingRecording.objects.filter(pk=recording.pk)
        wait_for(lambda: row.filter(attempts=1, lease_until__isnull=False).exists(), timeout=60,
                 what="the first worker claims the row", worker=first)
        time.sleep(1.0)  # janus-pp-rec / ffmpeg are at work now
        work = list(services.files_dir(recording).glob(".tmp-1-*"))
        first.kill()
    finally:
        first.stop()
    killed = row.get()
    assert killed.state == MeetingRecording.State.PROCESSING, "processing ended before the kill: make it longer"
    assert killed.attempts == 1
    assert work, "the killed worker had begun writing its files"
    assert services.recordings_sweep()["sent"] == 0  # its lease still runs: nobody else may take the row

    second = CeleryWorker(env=worker_env, concurrency=1).start()
    try:
        time.sleep(max(0.0, (killed.lease_until - killed.updated_at).total_seconds() - 1.0))
        wait_for(lambda: services.recordings_sweep()["sent"] == 1, timeout=30, every=0.5,
                 what="the sweep sends the row again once the lease ran out", worker=second)
        done = wait_for(lambda: row.filter(state=MeetingRecording.State.READY).first(), timeout=120,
                        what="the recording ends ready", worker=second)
        # a late second delivery (the killed worker's message, redelivered by Redis) changes nothing
        processed_at = done.processed_at
        assert task_send("recordings.process", recording.pk)
        time.sleep(1.0)
    finally:
        second.stop()
    done = row.get()
    assert done.state == MeetingRecording.State.READY
    assert done.attempts == 2
    assert done.processed_at == processed_at
    files = list(done.files.all())
    assert sorted(f.kind for f in files) == ["mixed", "site", "site", "site"]
    folder = services.files_dir(done)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f.path.split("/", 1)[1] for f in files)  # no leftovers
    for file in files:
        data = services.stored_path(file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == file.sha256
        assert len(data) == file.size
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_type", "-of", "json",
         str(folder / "meeting-mixed.webm")], capture_output=True, text=True, check=True).stdout)
    assert sorted(s["codec_type"] for s in probe["streams"]) == ["audio", "video"]
    assert float(probe["format"]["duration"]) == pytest.approx(60, abs=1)
