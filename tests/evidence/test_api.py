"""The API of the evidence app: the same rules as the pages (the province's schedulers and administrators; a clerk
403; another province's meeting 404), every write in the audit log."""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import call_command

from districts.models import Staff
from evidence.models import EvidencePack, FaultReport
from foundation.models import AuditEntry
from tests.proceedings.conftest import pass_of

from .conftest import HALL, MUEANG
from .test_pack import make_evidence_meeting

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_fault_reports_are_listed_and_resolved_through_the_api(series, client, login):
    meeting = series.meetings[0]
    client.post(f"/evidence/p/{pass_of(meeting, MUEANG).token}/faults/", {"kind": "no_video"})
    report = FaultReport.objects.get()
    api = login(Staff.Role.SCHEDULER, HALL)
    listed = api.get(f"/api/meetings/{meeting.pk}/fault-reports/").json()
    assert [(item["kind"], item["site"], item["resolved_at"]) for item in listed] == [("no_video", MUEANG, None)]
    resolve = f"/api/meetings/{meeting.pk}/fault-reports/{report.pk}/resolve/"
    response = api.post(resolve)
    assert response.status_code == 200
    assert response.json()["resolved_at"]
    again = api.post(resolve)
    assert again.status_code == 400
    assert "แก้ไขแล้ว" in str(again.json())
    assert AuditEntry.objects.filter(target_type="evidence.FaultReport", detail__resolved=True).count() == 1
    clerk = login(Staff.Role.CLERK, MUEANG)
    assert clerk.get(f"/api/meetings/{meeting.pk}/fault-reports/").status_code == 403
    assert clerk.post(resolve).status_code == 403
    call_command("create_province_sites", "39", verbosity=0)
    other = login(Staff.Role.SCHEDULER, "39")
    assert other.get(f"/api/meetings/{meeting.pk}/fault-reports/").status_code == 404


def test_a_pack_is_asked_for_listed_and_downloaded_through_the_api(series, pki, login, settings,
                                                                   django_capture_on_commit_callbacks):
    meeting, _document = make_evidence_meeting(series, django_capture_on_commit_callbacks, settings)
    api = login(Staff.Role.ADMINISTRATOR, HALL)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/meetings/{meeting.pk}/evidence-packs/")
    assert response.status_code == 201
    pack = EvidencePack.objects.get(meeting=meeting)
    assert pack.state == EvidencePack.State.READY
    listed = api.get(f"/api/meetings/{meeting.pk}/evidence-packs/").json()
    assert [(item["id"], item["state"], item["sha256"]) for item in listed] == [(pack.pk, "ready", pack.sha256)]
    file_url = f"/api/meetings/{meeting.pk}/evidence-packs/{pack.pk}/file/"
    clerk = login(Staff.Role.CLERK, MUEANG)
    assert clerk.get(file_url).status_code == 403
    assert clerk.post(f"/api/meetings/{meeting.pk}/evidence-packs/").status_code == 403
    api = login(Staff.Role.ADMINISTRATOR, HALL)
    response = api.get(file_url)
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == pack.sha256
    assert AuditEntry.objects.filter(detail__evidence_pack_download=pack.path).count() == 1
