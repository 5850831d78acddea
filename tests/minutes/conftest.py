"""Fixtures of the minutes tests: a daily series of three meetings (hall + Mueang + Kumphawapi) on the fake media
server, with passes; the first under way with its roll (one absent with a reason), attendance and a vote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from districts.models import Staff
from join import services as join_services
from join.models import Attendance
from meetings.models import Meeting, Participation
from meetings.services.scheduling import series_schedule
from proceedings import services as proceedings
from tests.factories.districts import StaffFactory
from tests.factories.meetings import site

# The media-server fixtures the meetings tests use (scheduler, fake_server, ...).
from tests.meetings.conftest import *  # noqa: F403
from tests.proceedings.conftest import AGENDA, pass_of, under_way

HALL, MUEANG, KUMPHAWAPI = "41", "4101", "4104"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """The stored PDFs go to the test's own directory."""
    settings.MEDIA_ROOT = tmp_path


@dataclass
class Series:
    meetings: list[Meeting]
    scheduler: object


def move(meeting: Meeting, *, start) -> Meeting:
    """Move a meeting (and its participations) to start at `start`, one hour long (the tests' arrangement)."""
    Meeting.objects.filter(pk=meeting.pk).update(start=start, end=start + timedelta(hours=1))
    Participation.objects.filter(meeting=meeting).update(start=start, end=start + timedelta(hours=1))
    return Meeting.objects.select_related("host_site__province", "series").get(pk=meeting.pk)


@pytest.fixture
def series(fake_server, django_capture_on_commit_callbacks):
    """Three daily meetings of one series (hall hosting, Mueang and Kumphawapi invited), the first under way."""
    scheduler = StaffFactory.create(role=Staff.Role.SCHEDULER, site_code=HALL).user
    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        made = series_schedule(title="คณะกรมการจังหวัด", host_site=site(HALL), sites=[site(MUEANG), site(KUMPHAWAPI)],
                               start=start, end=start + timedelta(hours=1), frequency="daily", count=3,
                               agenda=list(AGENDA), created_by=scheduler)
        meetings = list(made.meetings.order_by("occurrence"))
        for meeting in meetings:
            join_services.join_passes_ensure(meeting=meeting)
    meetings[0] = under_way(meetings[0], started_minutes_ago=30, hours=2)
    return Series(meetings=meetings, scheduler=scheduler)


def hold_first_meeting(meeting: Meeting, scheduler) -> None:
    """The roll of three sites (one person absent, with a reason), their connections, and a vote on item 4."""
    hall, mueang, kumphawapi = (pass_of(meeting, code) for code in (HALL, MUEANG, KUMPHAWAPI))
    proceedings.roll_entry_record(join_pass=hall, name="นายประธาน ใจดี", position="ผู้ว่าราชการจังหวัด",
                                  role="attendee", by=scheduler)
    proceedings.roll_entry_record(join_pass=hall, name="นางสาวผู้ร่วม ศึกษา", position="นักวิชาการ",
                                  role="participant", by=scheduler)
    proceedings.roll_entry_record(join_pass=mueang, name="นายอำเภอ เมืองดี", position="นายอำเภอเมืองอุดรธานี",
                                  role="attendee")
    proceedings.roll_entry_record(join_pass=kumphawapi, name="นายปลัด กุมภวาปี", position="ปลัดอำเภอ",
                                  role="attendee")
    proceedings.roll_entry_record(join_pass=kumphawapi, name="นายขาด ประชุม", position="นายอำเภอกุมภวาปี",
                                  role="absent", reason="ติดราชการที่กรุงเทพฯ")
    now = timezone.now()
    for code in (HALL, MUEANG, KUMPHAWAPI):
        Attendance.objects.create(meeting=meeting, site=site(code), display=code, joined_at=meeting.start,
                                  last_seen_at=now, left_at=now)
    vote = proceedings.vote_open(meeting=meeting, agenda_item=4, question="อนุมัติโครงการถนนปลอดภัย",
                                 opened_by=scheduler)
    proceedings.vote_cast(vote=vote, join_pass=hall, choice="approve")
    proceedings.vote_cast(vote=vote, join_pass=mueang, choice="approve")
    proceedings.vote_cast(vote=vote, join_pass=kumphawapi, choice="reject")
    proceedings.vote_close(vote=vote, closed_by=scheduler)


@pytest.fixture
def held(series):
    hold_first_meeting(series.meetings[0], series.scheduler)
    return series
