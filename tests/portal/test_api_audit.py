"""/api/audit/: the audit log for administrators (as the Django admin shows it to them), read-only, newest first,
paginated, filtered by action, actor, what was acted on and day (Thailand time, BE or CE years)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from districts.models import Staff
from foundation.audit import audit_record
from foundation.models import AuditEntry
from foundation.thaidate import BANGKOK
from meetings.services.scheduling import meeting_cancel
from tests.factories.api import api_as
from tests.factories.districts import StaffFactory
from tests.factories.meetings import MeetingFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
Role = Staff.Role


def test_administrators_read_what_the_services_recorded_newest_first():
    scheduler = StaffFactory.create(role=Role.SCHEDULER, site_code="41", username="somchai").user
    meeting = MeetingFactory.create(created_by=scheduler, sites=("4122",))
    meeting_cancel(meeting=meeting, by=scheduler)

    response = api_as(Role.ADMINISTRATOR).get("/api/audit/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    cancelled, created = body["results"]
    assert (cancelled["action"], created["action"]) == ("cancel", "create")
    assert cancelled["action_display"] == "ยกเลิก"
    assert cancelled["actor"] == scheduler.pk
    assert cancelled["actor_username"] == "somchai"
    assert (cancelled["target_type"], cancelled["target_id"]) == ("meetings.Meeting", str(meeting.pk))
    assert cancelled["target_repr"] == str(meeting)
    assert created["detail"] == AuditEntry.objects.get(action="create").detail
    assert datetime.fromisoformat(cancelled["at"]) >= datetime.fromisoformat(created["at"])


def test_only_administrators_may_read_it():
    audit_record(actor=None, action=AuditEntry.Action.EXPORT, detail={"export": "x"})
    for role, code in (
        (Role.SCHEDULER, "41"),
        (Role.FINANCE, "41"),
        (Role.FINANCE, "4122"),
        (Role.CLERK, "4122"),
    ):
        response = api_as(role, code).get("/api/audit/")
        assert response.status_code == 403, role
        assert set(response.json()) == {"detail"}
    assert APIClient().get("/api/audit/").status_code == 403


def test_it_is_read_only():
    client = api_as(Role.ADMINISTRATOR)
    entry = audit_record(actor=None, action=AuditEntry.Action.EXPORT, detail={})
    assert client.post("/api/audit/", {"action": "delete"}, format="json").status_code == 405
    assert client.delete(f"/api/audit/{entry.pk}/").status_code == 404  # no route for one entry
    assert AuditEntry.objects.count() == 1


def _entry(at: datetime, *, action: str, actor=None, target=None, province_code: str = "41") -> AuditEntry:
    """An entry of Udon Thani's (the province the tests' administrators belong to) unless said otherwise."""
    with time_machine.travel(at, tick=False):
        return audit_record(actor=actor, action=action, target=target, detail={}, province_code=province_code)


def test_filters_by_action_actor_target_and_day():
    somchai = StaffFactory.create(role=Role.SCHEDULER, site_code="41", username="somchai").user
    somsri = StaffFactory.create(role=Role.FINANCE, site_code="41", username="somsri").user
    # Around midnight in Bangkok (17:00 UTC): the days are Thailand's.
    late_on_the_1st = datetime(2025, 6, 1, 23, 30, tzinfo=BANGKOK)
    early_on_the_2nd = datetime(2025, 6, 2, 0, 30, tzinfo=BANGKOK)
    on_the_5th = datetime(2025, 6, 5, 10, 0, tzinfo=BANGKOK)
    a = _entry(late_on_the_1st, action="export", actor=somsri, target=somsri)
    b = _entry(early_on_the_2nd, action="role_change", actor=somchai, target=somsri)
    c = _entry(on_the_5th, action="export", actor=somchai, target=somchai)
    client = api_as(Role.ADMINISTRATOR)

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/audit/?{query}")
        assert response.status_code == 200, (query, response.content)
        return [row["id"] for row in response.json()["results"]]

    assert ids("action=export") == [c.pk, a.pk]
    assert ids("actor=somchai") == [c.pk, b.pk]
    assert ids("action=export&actor=somchai") == [c.pk]
    assert ids(f"target_type=auth.User&target_id={somsri.pk}") == [b.pk, a.pk]
    assert ids("since=2025-06-02") == [c.pk, b.pk]
    assert ids("until=2025-06-01") == [a.pk]
    assert ids("since=2568-06-02&until=2568-06-04") == [b.pk]  # BE years, as people write them
    assert ids("since=2/6/2568&until=5/6/2568") == [c.pk, b.pk]
    assert ids("actor=nobody") == []


@pytest.mark.parametrize(
    ("query", "field", "text"),
    [
        ("action=approve", "action", "ไม่รู้จักการกระทำ “approve”: ใช้ create, update"),
        ("since=yesterday", "since", "วันที่ไม่ถูกต้อง: “yesterday” อ่านไม่ออก"),
        ("until=31/02/2568", "until", "วันที่ไม่ถูกต้อง: “31/02/2568” เดือนกุมภาพันธ์ 2568 มี 28 วัน"),
        ("since=2568-06-05&until=2568-06-01", "until", "วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น"),
    ],
)
def test_a_filter_that_cannot_be_read_is_a_400_that_says_why(query, field, text):
    response = api_as(Role.ADMINISTRATOR).get(f"/api/audit/?{query}")
    assert response.status_code == 400
    (message,) = response.json()[field]
    assert message.startswith(text), message


def test_pages_of_fifty_at_a_fixed_number_of_queries():
    start = datetime(2025, 1, 1, 9, 0, tzinfo=BANGKOK)
    for number in range(60):
        _entry(start + timedelta(minutes=number), action="update")
    client = api_as(Role.ADMINISTRATOR)
    with CaptureQueriesContext(connection) as first:
        body = client.get("/api/audit/").json()
    assert (body["count"], len(body["results"])) == (60, 50)
    second = client.get(body["next"].split("testserver", 1)[-1]).json()
    assert len(second["results"]) == 10
    assert client.get("/api/audit/?page=3").status_code == 404
    with CaptureQueriesContext(connection) as again:
        client.get("/api/audit/?page=2")
    assert len(again) == len(first)
