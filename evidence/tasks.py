"""Celery tasks of the evidence app: thin, named, ids in; the services do the work (and the locking)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="evidence.build", acks_late=True, ignore_result=True)
def build(pack_id: int) -> dict:
    """Build a meeting's evidence pack, once. Returns at once when the row is done, failed or held by another
    worker; a temporary failure waits for its back-off and the sweep sends it again."""
    return {"pack_id": int(pack_id), "outcome": services.pack_build(pack_id=int(pack_id))}


@shared_task(name="evidence.sweep", acks_late=True, ignore_result=True)
def sweep() -> dict:
    """Send again the packs whose message was lost or whose worker died (their lease ran out)."""
    return {"sent": services.packs_sweep()}
