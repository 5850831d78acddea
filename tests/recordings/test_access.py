"""Storage, access and retention: who downloads which file (every download in the audit log), the recording page
and API, the retention sweep deleting expired files (the row says when and by which rule), PDPA erasure requests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from districts.models import Staff
from foundation.models import AuditEntry
from recordings import services
from recordings.models import ErasureRequest, MeetingRecording, RecordingFile
from recordings.tasks import retention_sweep
from tests.factories.districts import StaffFactory

from .conftest import stopped_recording

pytestmark = pytest.mark.integration
State = MeetingRecording.State


@pytest.fixture
def ready(storage, meeting):
    recording = stopped_recording(meeting, seconds=3)
    assert services.recording_process(recording_id=recording.pk)[0] == "ready"
    recording.refresh_from_db()
    return recording


def client_of(client, role: str, site_code: str):
    staff = StaffFactory.create(role=role, site_code=site_code)
    client.force_login(staff.user)
    return client, staff.user


def download_url(recording: MeetingRecording, file: RecordingFile) -> str:
    return reverse("recordings:download", kwargs={"pk": recording.meeting_id, "file_id": file.pk})


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)  # reading it to the end closes the file


def test_a_clerk_downloads_their_own_sites_meeting_and_not_another_sites(ready, client):
    mixed = ready.files.get(kind=RecordingFile.Kind.MIXED)
    own = ready.files.get(site__district__code="4101")
    other_site = ready.files.get(site__district__code="4102")
    clerk, user = client_of(client, Staff.Role.CLERK, "4101")
    response = clerk.get(download_url(ready, mixed))
    assert response.status_code == 200
    assert body_of(response) == services.stored_path(mixed).read_bytes()
    assert response["Cache-Control"] == "private, no-store"
    assert body_of(clerk.get(download_url(ready, own))) == services.stored_path(own).read_bytes()
    # another site's own stream of the same meeting: not for this clerk
    assert clerk.get(download_url(ready, other_site)).status_code == 404
    entries = AuditEntry.objects.filter(actor=user, action=AuditEntry.Action.EXPORT)
    assert sorted(e.target_id for e in entries) == sorted([str(mixed.pk), str(own.pk)])
    assert all(e.detail["meeting"] == ready.meeting_id and e.province_code == "41" for e in entries)


def test_a_clerk_of_a_site_not_in_the_meeting_cannot_download_it(ready, client):
    clerk, user = client_of(client, Staff.Role.CLERK, "4122")
    for file in ready.files.all():
        assert clerk.get(download_url(ready, file)).status_code == 404
        assert clerk.get(f"/api/meetings/{ready.meeting_id}/recording/files/{file.pk}/").status_code == 404
    assert not AuditEntry.objects.filter(actor=user).exists()


def test_schedulers_download_every_file_and_finance_none_each_in_the_audit_log(ready, client):
    scheduler, user = client_of(client, Staff.Role.SCHEDULER, "41")
    files = list(ready.files.all())
    for file in files:
        response = scheduler.get(f"/api/meetings/{ready.meeting_id}/recording/files/{file.pk}/")
        assert response.status_code == 200
        assert body_of(response) == services.stored_path(file).read_bytes()
    assert AuditEntry.objects.filter(actor=user, action=AuditEntry.Action.EXPORT).count() == len(files)
    finance, _user = client_of(client, Staff.Role.FINANCE, "41")
    assert finance.get(download_url(ready, files[0])).status_code == 404
    assert finance.get(f"/api/meetings/{ready.meeting_id}/recording/files/{files[0].pk}/").status_code == 403


def test_in_production_nginx_sends_the_file_from_its_internal_location(ready, client, settings):
    settings.RECORDINGS_ACCEL_REDIRECT = "/protected-recordings/"
    scheduler, _user = client_of(client, Staff.Role.SCHEDULER, "41")
    mixed = ready.files.get(kind=RecordingFile.Kind.MIXED)
    response = scheduler.get(download_url(ready, mixed))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-recordings/{ready.meeting_id}/meeting-mixed.webm"
    assert response.content == b""


def test_the_recording_page_shows_state_files_and_retention_at_a_fixed_cost(ready, client,
                                                                              django_assert_num_queries):
    scheduler, _user = client_of(client, Staff.Role.SCHEDULER, "41")
    url = reverse("recordings:meeting", kwargs={"pk": ready.meeting_id})
    with django_assert_num_queries(6):  # session, user+staff, meeting, recording, files, erasure requests
        response = scheduler.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="ready"' in page
    assert page.count("ดาวน์โหลด") >= 4
    assert "เก็บ 730 วันหลังการประชุม" in page
    api = scheduler.get(f"/api/meetings/{ready.meeting_id}/recording/").json()
    assert api["state"] == "ready"
    assert len(api["files"]) == 4
    assert api["retention_days"] == 730


def test_an_expired_recording_is_deleted_by_the_periodic_task_and_its_row_says_so(ready):
    paths = [services.stored_path(f) for f in ready.files.all()]
    assert all(p.is_file() for p in paths)
    MeetingRecording.objects.filter(pk=ready.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert retention_sweep() == {"deleted": 1}
    ready.refresh_from_db()
    assert ready.state == State.DELETED
    assert ready.deleted_at is not None
    assert ready.deleted_by_rule.startswith("เก็บ 730 วันหลังการประชุม (การประชุมเฉพาะกิจ)")
    assert not any(p.exists() for p in paths)
    assert not services.raw_dir(ready).exists()
    assert ready.files.count() == 4  # what was kept stays listed (names, sizes, digests)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DELETE, target_id=str(ready.pk)).exists()
    assert retention_sweep() == {"deleted": 0}


def test_a_recording_not_yet_expired_is_kept(ready):
    assert retention_sweep() == {"deleted": 0}
    ready.refresh_from_db()
    assert ready.state == State.READY


def test_an_erasure_request_is_recorded_and_answered_with_the_retention(ready, client):
    scheduler, user = client_of(client, Staff.Role.SCHEDULER, "41")
    url = reverse("recordings:erasure", kwargs={"pk": ready.meeting_id})
    response = scheduler.post(url, {"requester_name": "สมชาย ใจดี", "requester_contact": "somchai@example.go.th",
                                    "details": "ขอให้ลบภาพของข้าพเจ้า"})
    assert response.status_code == 302
    request = ErasureRequest.objects.get(meeting=ready.meeting)
    assert request.recorded_by == user
    assert request.retained_until == ready.expires_at
    assert "พระราชกำหนดว่าด้วยการประชุมผ่านสื่ออิเล็กทรอนิกส์ พ.ศ. 2563" in request.answer
    assert "จะเก็บไว้ถึง" in request.answer
    assert str(ready.expires_at.year + 543) in request.answer
    page = scheduler.get(reverse("recordings:meeting", kwargs={"pk": ready.meeting_id})).content.decode()
    assert "สมชาย ใจดี" in page
    refused = scheduler.post(url, {"requester_name": "", "requester_contact": ""})
    assert refused.status_code == 400
    assert ErasureRequest.objects.count() == 1


def test_a_secret_meeting_is_not_recorded(storage, meeting, client):
    scheduler, _user = client_of(client, Staff.Role.SCHEDULER, "41")
    response = scheduler.post(reverse("recordings:settings", kwargs={"pk": meeting.pk}), {"kind": "special"})
    assert response.status_code == 302
    assert MeetingRecording.objects.get(meeting=meeting).enabled is False
    answer = scheduler.post(f"/api/meetings/{meeting.pk}/recording/start/")
    assert answer.status_code == 400
    assert "ตั้งไว้ไม่บันทึก" in answer.json()["non_field_errors"][0]
