"""Celery tasks of joining: thin, named, ids in; the services do the work."""

from __future__ import annotations

from celery import shared_task

from meetings.backends.base import TemporaryMediaError

from . import selectors, services


@shared_task(name="meetings.join.attendance_poll", acks_late=True, ignore_result=True)
def attendance_poll(meeting_id: int) -> dict:
    """Ask the media server who is in one meeting's room and record joins and leaves."""
    result = services.attendance_poll(meeting_id=int(meeting_id))
    return {"meeting_id": result.meeting_id, "ok": result.ok, "error": result.error,
            "joined": len(result.joined), "left": len(result.left)}


@shared_task(name="meetings.join.attendance_sweep", acks_late=True, ignore_result=True)
def attendance_sweep() -> dict:
    """Periodic (PRACHUM_ATTENDANCE_POLL_SECONDS, 10 s): poll every meeting in its window (the control centre
    reads what the polls wrote), close what was left open, close old test rooms."""
    meeting_ids = selectors.meetings_to_poll()
    for meeting_id in meeting_ids:
        attendance_poll.delay(meeting_id)
    closed = services.attendance_close_stale()
    rooms = services.site_test_rooms_sweep()
    tokens = services.media_tokens_sync_all()  # windows that opened or closed; a restarted Janus gets them back
    return {"polled": len(meeting_ids), "closed_rows": closed, "closed_test_rooms": len(rooms),
            "tokens": {name: getattr(sync, "added", sync) for name, sync in tokens.items()}}


@shared_task(
    name="meetings.join.media_tokens_sync", acks_late=True, ignore_result=True,
    autoretry_for=(TemporaryMediaError,), retry_backoff=5, retry_backoff_max=60, max_retries=5,
)
def media_tokens_sync(server_id: int) -> dict:
    """Make one media server accept exactly the tokens of the passes and test calls that may be used now."""
    result = services.media_tokens_sync(server_id=int(server_id))
    return {"server": result.server, "added": result.added, "removed": result.removed, "kept": result.kept}


@shared_task(name="meetings.join.site_test_room_close", acks_late=True, ignore_result=True)
def site_test_room_close(test_call_id: int) -> bool:
    """Destroy a finished test call's room (the sweep retries it if the server is away)."""
    return services.site_test_room_close(test_call_id=int(test_call_id))

