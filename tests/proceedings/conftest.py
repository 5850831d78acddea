"""Fixtures of the roll-call and vote tests: meetings scheduled through the services on the fake media server, with
their passes issued, and moved to be under way when a test needs it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from join import services as join_services
from join.models import JoinPass
from meetings.models import Meeting, Participation
from tests.factories.meetings import MeetingFactory

# The media-server fixtures the meetings tests use (scheduler, fake_server, ...).
from tests.meetings.conftest import *  # noqa: F403

HALL, MUEANG, KUMPHAWAPI, NA_YUNG = "41", "4101", "4104", "4125"
AGENDA = ["ประธานแจ้งให้ที่ประชุมทราบ", "รับรองรายงานการประชุมครั้งที่แล้ว", "เรื่องสืบเนื่อง",
          "ขออนุมัติโครงการถนนปลอดภัยช่วงสงกรานต์", "เรื่องอื่น ๆ"]


def under_way(meeting: Meeting, *, started_minutes_ago: int = 5, hours: float = 1) -> Meeting:
    """Move a scheduled meeting (and its participations) so that it started a few minutes ago."""
    start = timezone.now() - timedelta(minutes=started_minutes_ago)
    end = start + timedelta(hours=hours)
    Meeting.objects.filter(pk=meeting.pk).update(start=start, end=end)
    Participation.objects.filter(meeting=meeting).update(start=start, end=end)
    return Meeting.objects.select_related("room__server", "host_site__province").get(pk=meeting.pk)


def pass_of(meeting: Meeting, code: str) -> JoinPass:
    return next(
        p for p in JoinPass.objects.filter(meeting=meeting, revoked_at__isnull=True, site__isnull=False)
        .select_related("site__district", "site__province", "meeting__host_site")
        if p.site.code == code
    )


@pytest.fixture
def schedule(scheduler, fake_server, django_capture_on_commit_callbacks):
    """`schedule(sites=..., host=HALL, running=True)` -> a meeting with its passes (under way when `running`)."""

    def _schedule(*, sites=(MUEANG, KUMPHAWAPI), host=HALL, running: bool = True, title: str = "") -> Meeting:
        with django_capture_on_commit_callbacks(execute=True):
            meeting = MeetingFactory.create(title=title, host=host, sites=tuple(sites), created_by=scheduler,
                                            agenda=list(AGENDA))
            join_services.join_passes_ensure(meeting=meeting)
        if running:
            return under_way(meeting)
        return Meeting.objects.select_related("room__server", "host_site__province").get(pk=meeting.pk)

    _schedule.scheduler = scheduler
    return _schedule
