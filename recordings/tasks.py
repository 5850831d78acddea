"""Celery tasks of the recordings: thin, named, ids in; the services do the work (and the locking)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="recordings.process", acks_late=True, ignore_result=True)
def process(recording_id: int) -> dict:
    """Turn a meeting's raw recordings into playable files, once. Returns at once when the row is done, held by
    another worker or backing off; a failed attempt comes back after its back-off (here, or from the sweep)."""
    outcome, retry_in = services.recording_process(recording_id=int(recording_id))
    if outcome == "retry":
        process.apply_async(args=[int(recording_id)], countdown=retry_in)
    return {"recording_id": int(recording_id), "outcome": outcome}


@shared_task(name="recordings.sweep", acks_late=True, ignore_result=True)
def sweep() -> dict:
    """Stop recordings left running after their meeting; send again processing that was lost or is due."""
    return services.recordings_sweep()


@shared_task(name="recordings.retention_sweep", acks_late=True, ignore_result=True)
def retention_sweep() -> dict:
    """Delete the files of recordings whose retention has ended (the rows say so)."""
    return {"deleted": services.recordings_retention_sweep()}
