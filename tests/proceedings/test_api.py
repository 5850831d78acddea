"""/api/ of the roll-call and the votes: the same rules and services as the pages, Thai refusals, audit entries."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from foundation.models import AuditEntry
from proceedings.models import RollEntry, SecretTally, SecretVoter, Vote
from tests.factories.districts import StaffFactory

from .conftest import KUMPHAWAPI, MUEANG

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_roll_and_a_secret_vote_through_the_api(schedule):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI))
    clerk = StaffFactory.create(role="clerk", site_code=MUEANG).user
    clerk_api, chair_api = api_as(clerk), api_as(schedule.scheduler)
    roll_url = f"/api/sites/{MUEANG}/meetings/{meeting.pk}/roll/"
    created = clerk_api.post(roll_url, {"name": "นายอำเภอเมือง", "position": "นายอำเภอ", "role": "attendee"},
                             format="json")
    assert created.status_code == 201, created.content
    assert created.json()["recorded_by_label"].endswith(f"({clerk.username})")
    assert created.json()["recorded_at"]
    refused = clerk_api.post(roll_url, {"name": "ปลัด", "role": "absent"}, format="json")
    assert refused.status_code == 400
    assert "กรอกเหตุที่ไม่มาประชุม" in str(refused.json())
    assert clerk_api.get(f"/api/sites/{KUMPHAWAPI}/meetings/{meeting.pk}/roll/").status_code == 403
    assert clerk_api.get(f"/api/meetings/{meeting.pk}/roll/").status_code == 403
    roll = chair_api.get(f"/api/meetings/{meeting.pk}/roll/").json()
    assert roll[0]["holder"] == meeting.host_site.name
    assert any(person["name"] == "นายอำเภอเมือง" for site in roll for person in site["present"])

    opened = chair_api.post(f"/api/meetings/{meeting.pk}/votes/", {"agenda_item": 4, "secret": True}, format="json")
    assert opened.status_code == 201, opened.content
    vote_id = opened.json()["id"]
    ballots = f"/api/sites/{MUEANG}/meetings/{meeting.pk}/votes/{vote_id}/ballots/"
    cast = clerk_api.post(ballots, {"choice": "approve"}, format="json")
    assert cast.status_code == 201
    assert cast.json() == {"recorded": True}
    before = (SecretVoter.objects.count(), list(SecretTally.objects.values_list("approve", "reject", "abstain")),
              AuditEntry.objects.count())
    twice = clerk_api.post(ballots, {"choice": "reject"}, format="json")
    assert twice.status_code == 400
    assert "ลงมติได้ครั้งเดียว" in str(twice.json())
    unknown = api_as(StaffFactory.create(role="clerk", site_code=KUMPHAWAPI).user).post(
        f"/api/sites/{KUMPHAWAPI}/meetings/{meeting.pk}/votes/{vote_id}/ballots/", {"choice": "yes"}, format="json")
    assert unknown.status_code == 400
    assert "เลือกมติ" in str(unknown.json())
    assert (SecretVoter.objects.count(), list(SecretTally.objects.values_list("approve", "reject", "abstain")),
            AuditEntry.objects.count()) == before
    closed = chair_api.post(f"/api/meetings/{meeting.pk}/votes/{vote_id}/close/")
    assert closed.status_code == 200
    assert closed.json()["counts"] == {"เห็นชอบ": 1, "ไม่เห็นชอบ": 0, "งดออกเสียง": 0}
    assert closed.json()["voters"] == []
    assert Vote.objects.get().status == "closed"
    again = chair_api.post(f"/api/meetings/{meeting.pk}/votes/{vote_id}/close/")
    assert again.status_code == 400
    # Every write is in the audit log.
    assert AuditEntry.objects.filter(target_type="proceedings.RollEntry", action="create").count() == 1
    assert AuditEntry.objects.filter(target_type="proceedings.Vote").count() == 3  # open, one ballot, close
    entry = RollEntry.objects.get()
    deleted = clerk_api.delete(f"/api/sites/{MUEANG}/meetings/{meeting.pk}/roll/{entry.pk}/")
    assert deleted.status_code == 204
    assert AuditEntry.objects.filter(target_type="proceedings.RollEntry", action="delete").count() == 1


def test_opening_a_vote_before_the_meeting_is_refused_in_thai(schedule):
    meeting = schedule(sites=(MUEANG,), running=False)
    response = api_as(schedule.scheduler).post(f"/api/meetings/{meeting.pk}/votes/", {"agenda_item": 1},
                                               format="json")
    assert response.status_code == 400
    assert "เปิดลงมติได้เฉพาะระหว่างการประชุม" in str(response.json())
    assert Vote.objects.count() == 0
