"""Test meetings and media servers, built through the services (the way the portal builds them)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from django.utils import timezone

from districts.models import Site, Staff
from districts.selectors import site_get_by_code
from foundation.thaidate import BANGKOK
from meetings.models import MediaServer, Meeting
from meetings.services.scheduling import meeting_schedule

from .districts import StaffFactory

_slots = itertools.count(1)
_names = itertools.count(1)


def site(code: str) -> Site:
    found = site_get_by_code(code=code)
    assert found is not None, f"no site with code {code}"
    return found


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """An aware Bangkok datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


def next_slot(hours: int = 1) -> tuple[datetime, datetime]:
    """A fresh future window that no other factory meeting uses (two hours apart, from tomorrow 08:00)."""
    tomorrow = (timezone.now().astimezone(BANGKOK) + timedelta(days=2)).replace(hour=8, minute=0, second=0,
                                                                               microsecond=0)
    start = tomorrow + timedelta(hours=2 * next(_slots))
    return start, start + timedelta(hours=hours)


class SchedulerFactory:
    @staticmethod
    def create(site_code: str = "41"):
        return StaffFactory.create(role=Staff.Role.SCHEDULER, site_code=site_code).user


class MeetingFactory:
    @staticmethod
    def create(
        *,
        title: str = "",
        host: str = "41",
        sites: tuple[str, ...] = ("4101",),
        start: datetime | None = None,
        end: datetime | None = None,
        created_by=None,
        **extra,
    ) -> Meeting:
        if start is None:
            start, default_end = next_slot()
            end = end or default_end
        return meeting_schedule(
            title=title or f"ประชุมทดสอบ {next(_names)}",
            host_site=site(host),
            sites=[site(code) for code in sites],
            start=start,
            end=end or start + timedelta(hours=1),
            created_by=created_by or SchedulerFactory.create(),
            **extra,
        )


class MediaServerFactory:
    @staticmethod
    def create(**values) -> MediaServer:
        values.setdefault("name", f"server-{next(_names)}")
        values.setdefault("kind", MediaServer.Kind.FAKE)
        values.setdefault("url", "http://fake.invalid/")
        values.setdefault("capacity_sites", 1000)
        server = MediaServer(**values)
        server.full_clean()
        server.save()
        return server
