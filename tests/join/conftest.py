"""Fixtures of the joining tests: meetings scheduled through the services, with their rooms provisioned and the
sites' passes issued, on the fake media server or on the session's real Janus."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from districts.models import Agency
from join import services
from join.links import site_marker
from join.models import JoinPass
from meetings.backends.base import Participant
from meetings.media import site_user_id
from meetings.models import Meeting
from meetings.services.scheduling import meeting_update
from tests.factories.meetings import MeetingFactory, site

# The media-server fixtures the meetings tests use (scheduler, fake_server, janus, ...), shared with this app's tests.
from tests.meetings.conftest import *  # noqa: F403

HALL, MUEANG, KUMPHAWAPI, NA_YUNG = "41", "4101", "4104", "4125"


def here(*codes: str, guests: tuple[str, ...] = ()) -> list[Participant]:
    """The media server's participant list: the sites of `codes` (their display names, each held by its site's
    signed identity, as a Jitsi server reports it) and `guests` by name (held by nobody the portal knows)."""
    people = [Participant(id=str(100 + i), display=site_marker(site(code)), publisher=True,
                          holder=site_user_id(code)) for i, code in enumerate(codes)]
    return people + [Participant(id=str(900 + i), display=name) for i, name in enumerate(guests)]


AGENCY_NAME = "สำนักงานสาธารณสุขจังหวัดอุดรธานี"
GUEST = "แขก · ผู้สังเกตการณ์"


def meeting_attended(schedule) -> tuple[Meeting, Agency]:
    """A meeting of Mueang and Kumphawapi with an agency invited: the hall connected 3 minutes before the start with
    a guest, Mueang 25 minutes late, Kumphawapi never."""
    agency = Agency.objects.create(province=site(HALL).province, name=AGENCY_NAME, email="ssj@example.go.th")
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI))
    with schedule.committed():
        meeting_update(meeting=meeting, agencies=[agency], by=schedule.scheduler)
    start = meeting.start
    services.attendance_record(meeting_id=meeting.pk, present=here(HALL, guests=(GUEST,)),
                               now=start - timedelta(minutes=3))
    services.attendance_record(meeting_id=meeting.pk, present=here(HALL, MUEANG), now=start + timedelta(minutes=25))
    return meeting, agency


def minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


@pytest.fixture(autouse=True)
def _empty_cache():
    """The clerk's page keeps its lists in the cache (this process's memory in the tests), per site: a test must
    not find the lists of an earlier test's (rolled back) meetings."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def schedule(scheduler, django_capture_on_commit_callbacks):
    """`schedule(sites=..., starts_in=minutes, hours=1)` -> a meeting with its room provisioned and its passes."""

    def _schedule(*, sites=(MUEANG, KUMPHAWAPI), host=HALL, starts_in: int = 10, hours: float = 1,
                  start: datetime | None = None, title: str = "") -> Meeting:
        start = start or minute(timezone.now() + timedelta(minutes=starts_in))
        with django_capture_on_commit_callbacks(execute=True):
            meeting = MeetingFactory.create(
                title=title, host=host, sites=tuple(sites), start=start, end=start + timedelta(hours=hours),
                created_by=scheduler,
            )
            services.join_passes_ensure(meeting=meeting)
        return Meeting.objects.select_related("room").get(pk=meeting.pk)

    _schedule.scheduler = scheduler
    _schedule.committed = lambda: django_capture_on_commit_callbacks(execute=True)
    return _schedule


def pass_of(meeting: Meeting, code: str) -> JoinPass:
    return next(
        p for p in JoinPass.objects.filter(meeting=meeting, revoked_at__isnull=True, site__isnull=False).select_related(
            "site__district", "site__province")
        if p.site.code == code
    )


def agency_pass_of(meeting: Meeting, agency: Agency) -> JoinPass:
    """The agency's valid pass of the meeting."""
    return JoinPass.objects.select_related("agency").get(meeting=meeting, agency=agency, revoked_at__isnull=True)


