"""Recorded unless the scheduler says not to, chosen when scheduling (issue 17, part 1): the scheduling form's box,
the API's `record`, and a series' every occurrence."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from meetings.models import Meeting
from meetings.services.scheduling import meeting_schedule, series_schedule
from recordings.models import MeetingRecording
from tests.factories.meetings import SchedulerFactory, next_slot, site
from tests.meetings.test_pages import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def scheduler(db):
    return SchedulerFactory.create()


def recorded(meeting: Meeting) -> bool:
    return MeetingRecording.objects.get(meeting=meeting).enabled


def test_a_meeting_is_recorded_unless_the_scheduler_says_not(fake_media, scheduler):
    start, end = next_slot()
    common = {"title": "ประชุมกรมการจังหวัด", "host_site": site("41"), "sites": [site("4101")],
              "created_by": scheduler}
    assert recorded(meeting_schedule(start=start, end=end, **common))
    start, end = next_slot()
    assert not recorded(meeting_schedule(start=start, end=end, record=False, **common))
    start, end = next_slot()
    series = series_schedule(start=start, end=end, frequency="daily", count=3, record=False, **common)
    assert [recorded(m) for m in series.meetings.all()] == [False, False, False]


def test_the_scheduling_form_offers_the_choice_ticked(login, fake_media):
    scheduler = login("scheduler", "41")
    page = scheduler.get(reverse("meetings:create")).content.decode()
    assert re.search(r'<input type="checkbox" name="record"[^>]*\bchecked\b', page)
    assert scheduler.post(reverse("meetings:create"), form_data(title="ประชุมบันทึก", record="on")).status_code == 302
    assert scheduler.post(reverse("meetings:create"), form_data(title="ประชุมลับ")).status_code == 302  # unticked
    assert recorded(Meeting.objects.get(title="ประชุมบันทึก"))
    assert not recorded(Meeting.objects.get(title="ประชุมลับ"))


def test_the_api_takes_record(fake_media, scheduler):
    api = APIClient()
    api.force_authenticate(scheduler)
    start, end = next_slot()
    base = {"host_site": site("41").pk, "sites": [site("4101").pk], "agencies": []}
    kept = api.post("/api/meetings/", {**base, "title": "บันทึก", "start": start.isoformat(),
                                       "end": end.isoformat()}, format="json")
    start, end = next_slot()
    secret = api.post("/api/meetings/", {**base, "title": "ลับ", "record": False, "start": start.isoformat(),
                                         "end": end.isoformat()}, format="json")
    assert (kept.status_code, secret.status_code) == (201, 201), (kept.content, secret.content)
    assert recorded(Meeting.objects.get(pk=kept.json()["id"]))
    assert not recorded(Meeting.objects.get(pk=secret.json()["id"]))
