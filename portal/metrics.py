"""Prometheus metrics: gauges read from the rows that are the truth of every side effect, and task counters.

The rows say what was done: rooms provisioned or failed, notifications sent, pending or failed, charges billed.
`/metrics` (django-prometheus: request latency and counts) adds these at each scrape, a handful of GROUP BY
queries, whichever web worker answers.

Celery tasks run in worker processes, on other machines too: each counts its runs by task and outcome in the
shared cache (Redis: one INCR per run, `task_counted`), and the scrape reads every counter in one round trip
(`prachum_tasks_total`). A counter lost with the cache starts again from zero, which Prometheus reads as a
counter reset. Counting never fails a task: a cache that cannot be reached is logged and skipped.
"""

from __future__ import annotations

import logging

from celery.signals import task_postrun
from django.core.cache import cache
from django.db.models import Count
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from billing.models import Charge
from meetings.models import Meeting, Room
from notifications.models import Notification
from portal.celery import app

logger = logging.getLogger(__name__)

TASK_OUTCOMES = ("SUCCESS", "FAILURE", "RETRY")
_TASK_COUNTER = "metrics:tasks:{name}:{outcome}"
OUR_TASKS = ("meetings.", "billing.", "districts.", "portal.")


def task_counted(name: str, outcome: str) -> None:
    """One more run of task `name` that ended in `outcome` (SUCCESS, FAILURE or RETRY)."""
    key = _TASK_COUNTER.format(name=name, outcome=outcome)
    try:
        cache.add(key, 0, timeout=None)
        cache.incr(key)
    except Exception:
        logger.warning("metrics: the run of %s could not be counted", name, exc_info=True)


def _on_task_postrun(sender=None, task=None, state=None, **_kwargs) -> None:
    name = getattr(task, "name", "") or ""
    if name.startswith(OUR_TASKS) and state in TASK_OUTCOMES:
        task_counted(name, state)


def connect_task_signals() -> None:
    """Called by PortalConfig.ready(): in web processes (eager tasks) and in every worker."""
    task_postrun.connect(_on_task_postrun, dispatch_uid="prachum-task-counts", weak=False)


def _our_task_names() -> list[str]:
    return sorted(name for name in app.tasks if name.startswith(OUR_TASKS))

FAMILIES = {
    "prachum_rooms": ("Rooms on the media servers by state", ["state"]),
    "prachum_notifications": ("Notifications by channel, kind and state", ["channel", "kind", "state"]),
    "prachum_meetings": ("Meetings by status", ["status"]),
    "prachum_charges": ("Monthly charges by status", ["status"]),
}


TASKS_DOCUMENTATION = "Celery task runs by task and outcome, counted by the workers in the shared cache"


class PortalCollector(Collector):
    def describe(self):
        """The names without touching the database (registering calls this, at app start)."""
        for name, (documentation, labels) in FAMILIES.items():
            yield GaugeMetricFamily(name, documentation, labels=labels)
        yield CounterMetricFamily("prachum_tasks", TASKS_DOCUMENTATION, labels=["task", "outcome"])

    def collect(self):
        rooms = GaugeMetricFamily("prachum_rooms", "Rooms on the media servers by state", labels=["state"])
        for row in Room.objects.order_by().values("state").annotate(n=Count("id")):
            rooms.add_metric([row["state"]], row["n"])
        yield rooms

        notifications = GaugeMetricFamily(
            "prachum_notifications", "Notifications by channel, kind and state", labels=["channel", "kind", "state"]
        )
        rows = Notification.objects.order_by().values("channel", "kind", "state").annotate(n=Count("id"))
        for row in rows:
            notifications.add_metric([row["channel"], row["kind"], row["state"]], row["n"])
        yield notifications

        meetings = GaugeMetricFamily("prachum_meetings", "Meetings by status", labels=["status"])
        for row in Meeting.objects.order_by().values("status").annotate(n=Count("id")):
            meetings.add_metric([row["status"]], row["n"])
        yield meetings

        charges = GaugeMetricFamily("prachum_charges", "Monthly charges by status", labels=["status"])
        for row in Charge.objects.order_by().values("status").annotate(n=Count("id")):
            charges.add_metric([row["status"]], row["n"])
        yield charges
        yield self._tasks()

    @staticmethod
    def _tasks() -> CounterMetricFamily:
        tasks = CounterMetricFamily("prachum_tasks", TASKS_DOCUMENTATION, labels=["task", "outcome"])
        keys = {
            _TASK_COUNTER.format(name=name, outcome=outcome): (name, outcome)
            for name in _our_task_names()
            for outcome in TASK_OUTCOMES
        }
        try:
            found = cache.get_many(list(keys))
        except Exception:
            logger.warning("metrics: the task counters cannot be read", exc_info=True)
            return tasks
        for key, (name, outcome) in keys.items():
            tasks.add_metric([name, outcome], int(found.get(key) or 0))
        return tasks
