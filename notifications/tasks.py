"""Celery tasks of the notifications: thin, named, ids and primitives in; the services do the work."""

from __future__ import annotations

from celery import shared_task
from django.utils.dateparse import parse_datetime

from . import services


@shared_task(name="meetings.notifications.send", bind=True, acks_late=True, ignore_result=True)
def notifications_send(self, ids: list[int]) -> dict:
    """Send a batch of notification rows; rows put off by a temporary error come back after their back-off.

    Delivered twice (a redelivery after a lost ack, the sweep and a retry at once), it sends nothing twice:
    each row is claimed before it is sent, and rows already sent are skipped.
    """
    report = services.notifications_deliver(ids=[int(pk) for pk in ids])
    if not self.request.is_eager:
        # The rows also record when they are due, so the sweep sends them if this message is lost.
        for retry_ids, delay in report.retries:
            self.apply_async(args=[retry_ids], countdown=delay)
    return report.as_dict()


@shared_task(name="meetings.notifications.sweep", acks_late=True, ignore_result=True)
def notifications_sweep(now: str | None = None) -> dict:
    """Periodic (every minute): re-enqueue pending rows nobody sent, and rows a dead worker left in flight.

    `now` (ISO 8601) runs it as if at another time: for tests and operators only.
    """
    return services.notifications_sweep(now=parse_datetime(now) if now else None).as_dict()


@shared_task(name="meetings.notifications.reminders", acks_late=True, ignore_result=True)
def reminders_plan(now: str | None = None) -> dict:
    """Periodic (every minute): write and enqueue the reminders whose time has come.

    `now` (ISO 8601) runs it as if at another time: for tests and operators only.
    """
    return services.reminders_plan(now=parse_datetime(now) if now else None).as_dict()

