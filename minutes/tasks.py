"""Celery tasks of the minutes: thin, named, ids in; the services do the work."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="minutes.sign_version", acks_late=True, ignore_result=True)
def sign_version(version_id: int) -> dict:
    """Sign an approved version's PDF with the province's certificate (nothing to do when already signed)."""
    version = services.minutes_sign(version_id=int(version_id))
    return {"version_id": version.pk, "signed": bool(version.signed_pdf), "error": version.sign_error}


@shared_task(name="minutes.sign_pending", acks_late=True, ignore_result=True)
def sign_pending() -> dict:
    """Sweep: send the signing task for every approved version still unsigned (a certificate configured later)."""
    return {"sent": len(services.minutes_sign_pending())}
