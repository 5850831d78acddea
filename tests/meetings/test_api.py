"""/api/meetings/: create, list, retrieve, change and cancel, with the services' errors as clear 400 bodies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from meetings.models import Meeting, Room
from portal.api_tokens import api_token_issue
from tests.factories.districts import StaffFactory
from tests.factories.meetings import MeetingFactory, next_slot, site

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL


@pytest.fixture
def api(scheduler) -> APIClient:
    client = APIClient()
    client.force_authenticate(scheduler)
    return client


def payload(**overrides) -> dict:
    start, end = next_slot()
    data = {"title": "ประชุมผ่าน API", "host_site": site("41").pk, "sites": [site("4101").pk, site("4122").pk],
            "agencies": [], "start": start.isoformat(), "end": end.isoformat()}
    data.update(overrides)
    return data


def test_create_list_retrieve_cancel(api, fake_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/meetings/", payload(), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["title"] == "ประชุมผ่าน API"
    assert {s["code"]: s["role"] for s in body["sites"]} == {"41": "host", "4101": "participant",
                                                             "4122": "participant"}
    assert body["agenda"][0] == "ประธานแจ้งให้ที่ประชุมทราบ"
    room = Room.objects.get(meeting_id=body["id"])
    assert body["room"]["number"] == room.number
    assert room.pin not in created.content.decode()
    assert room.secret not in created.content.decode()

    listed = api.get("/api/meetings/").json()
    assert [m["id"] for m in listed["results"]] == [body["id"]]
    assert api.get(f"/api/meetings/{body['id']}/").json()["room"]["state"] == "provisioned"

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = api.post(f"/api/meetings/{body['id']}/cancel/")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["room"]["state"] == "destroy_pending"  # the task runs once the request commits
    assert api.get(f"/api/meetings/{body['id']}/").json()["room"]["state"] == "destroyed"
    again = api.post(f"/api/meetings/{body['id']}/cancel/")
    assert again.status_code == 400
    assert "ยกเลิก" in again.json()["status"][0]


def test_token_auth_works_like_the_session(scheduler, fake_server):
    client = APIClient()
    _token, key = api_token_issue(user=scheduler)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.post("/api/meetings/", payload(), format="json").status_code == 201


def test_clash_and_validation_errors_are_400_bodies_field_to_messages(api, fake_server):
    existing = MeetingFactory.create(title="ประชุมที่มีอยู่แล้ว", sites=("4122",))
    clash = api.post("/api/meetings/", payload(start=existing.start.isoformat(), end=existing.end.isoformat()),
                     format="json")
    assert clash.status_code == 400
    assert clash.json()["sites"][0].startswith("อำเภอนายูง ติดประชุม “ประชุมที่มีอยู่แล้ว” วันที่ ")

    start, _ = next_slot()
    backwards = api.post("/api/meetings/", payload(start=start.isoformat(),
                                                   end=(start - timedelta(hours=1)).isoformat()), format="json")
    assert backwards.status_code == 400
    assert "ต้องหลังเวลาเริ่ม" in backwards.json()["end"][0]

    past = timezone.now() - timedelta(days=1)
    in_past = api.post("/api/meetings/", payload(start=past.isoformat(), end=(past + timedelta(hours=1)).isoformat()),
                       format="json")
    assert "ผ่านมาแล้ว" in in_past.json()["start"][0]

    unknown = api.post("/api/meetings/", payload(sites=[987654]), format="json")
    assert unknown.json() == {"sites": ["ไม่พบสถานที่รหัส 987654: เลือกจากรายการสถานที่ของจังหวัด"]}

    garbage = api.post("/api/meetings/", {"title": "", "host_site": "x", "start": "พรุ่งนี้"}, format="json")
    assert garbage.status_code == 400
    assert set(garbage.json()) >= {"title", "host_site", "start", "end"}
    assert Meeting.objects.count() == 1


def test_patch_updates_and_reschedules_atomically(api, fake_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = MeetingFactory.create(sites=("4101",))
    start, end = next_slot()
    with django_capture_on_commit_callbacks(execute=True):
        changed = api.patch(f"/api/meetings/{meeting.pk}/", {"title": "ชื่อใหม่", "start": start.isoformat(),
                                                             "end": end.isoformat()}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "ชื่อใหม่"
    assert changed.json()["sequence"] == 2
    other = MeetingFactory.create(sites=("4101",))
    refused = api.patch(f"/api/meetings/{meeting.pk}/", {"title": "ไม่ควรบันทึก", "start": other.start.isoformat(),
                                                         "end": other.end.isoformat()}, format="json")
    assert refused.status_code == 400
    assert "ติดประชุม" in refused.json()["sites"][0]
    meeting.refresh_from_db()
    assert meeting.title == "ชื่อใหม่"  # the title change of the refused request was rolled back


def test_clerk_gets_403_and_other_province_gets_404(fake_server):
    meeting = MeetingFactory.create()
    clerk = APIClient()
    clerk.force_authenticate(StaffFactory.create(role="clerk", site_code="4122").user)
    assert clerk.get("/api/meetings/").status_code == 403
    assert clerk.post("/api/meetings/", payload(), format="json").status_code == 403
    assert clerk.post(f"/api/meetings/{meeting.pk}/cancel/").status_code == 403
    assert APIClient().get("/api/meetings/").status_code in {401, 403}


def test_schema_describes_the_meetings_endpoints(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/meetings/", "/api/meetings/{id}/", "/api/meetings/{id}/cancel/"} <= set(paths)
    assert "requestBody" not in paths["/api/meetings/{id}/cancel/"]["post"]
