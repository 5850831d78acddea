"""The audit log records who created, changed, cancelled and exported."""

from datetime import timedelta

import pytest

from foundation.models import AuditEntry
from meetings.services.scheduling import meeting_cancel, meeting_reschedule
from tests.factories.meetings import MediaServerFactory, MeetingFactory, SchedulerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_schedule_reschedule_and_cancel_are_audited():
    MediaServerFactory.create()
    scheduler = SchedulerFactory.create()
    meeting = MeetingFactory.create(sites=("4122",), created_by=scheduler)
    meeting_reschedule(
        meeting=meeting, start=meeting.start + timedelta(hours=1), end=meeting.end + timedelta(hours=1), by=scheduler
    )
    meeting_cancel(meeting=meeting, by=scheduler)
    entries = AuditEntry.objects.filter(target_type="meetings.Meeting", target_id=str(meeting.pk)).order_by("id")
    assert [e.action for e in entries] == ["create", "update", "cancel"]
    assert {e.actor_username for e in entries} == {scheduler.username}
    assert entries[1].detail["rescheduled"]["start"] == (meeting.start + timedelta(hours=1)).isoformat()


def test_a_report_download_is_audited(login):
    client = login("finance", "41")
    response = client.get("/billing/reports/fiscal_year.csv?fy=2562")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="export")
    assert entry.detail["exporter"] == "fiscal_year"
    assert entry.detail["format"] == "csv"
