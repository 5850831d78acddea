"""Prometheus gauges read from the rows that are the truth of every side effect.

Celery workers run in other processes (and on other machines): counting in them would need a push gateway.
The rows already say what was done: rooms provisioned or failed, notifications sent, pending or failed, charges
billed. `/metrics` (django-prometheus, request latency and counts) adds these at each scrape, a handful of GROUP BY
queries, whichever web worker answers.
"""

from __future__ import annotations

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

FAMILIES = {
    "prachum_rooms": ("Rooms on the media servers by state", ["state"]),
    "prachum_notifications": ("Notifications by channel, kind and state", ["channel", "kind", "state"]),
    "prachum_meetings": ("Meetings by status", ["status"]),
    "prachum_charges": ("Monthly charges by status", ["status"]),
}


class PortalCollector(Collector):
    def describe(self):
        """The names without touching the database (registering calls this, at app start)."""
        for name, (documentation, labels) in FAMILIES.items():
            yield GaugeMetricFamily(name, documentation, labels=labels)

    def collect(self):
        from django.db.models import Count

        from billing.models import Charge
        from meetings.models import Meeting, Room
        from meetings.notifications.models import Notification

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
