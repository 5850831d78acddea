"""/api/meetings/<id>/documents/: the list and an upload (the meeting's page: the province's schedulers and
administrators), and one document's file (the page's download link: also the clerks of the sites taking part).
A refused upload is a 400 that says what is wrong, and nothing is kept: no row, no file."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from districts.models import Staff
from join.links import portal_url
from meetings.models import Document
from meetings.services import document_attach
from meetings.services.scheduling import meeting_cancel
from tests.factories.api import api_as
from tests.factories.districts import StaffFactory
from tests.factories.meetings import MeetingFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
Role = Staff.Role

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


def upload(client: APIClient, meeting_id: int, name: str, content: bytes):
    return client.post(
        f"/api/meetings/{meeting_id}/documents/", {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )


def content_of(response) -> bytes:
    return b"".join(response.streaming_content)  # reading it to the end closes the file


def test_a_scheduler_uploads_a_document_lists_it_and_downloads_it(scheduler, media_root):
    meeting = MeetingFactory.create(created_by=scheduler, sites=("4122",))
    client = api_as(Role.SCHEDULER, "41")

    response = upload(client, meeting.pk, "รายงานผล.pdf", PDF)

    assert response.status_code == 201, response.content
    document = Document.objects.get(meeting=meeting)
    body = response.json()
    assert body["id"] == document.pk
    assert (body["name"], body["kind"], body["size"]) == ("รายงานผล.pdf", "pdf", len(PDF))
    assert body["uploaded_by"] == document.uploaded_by.username
    assert body["download_url"] == portal_url(f"/api/meetings/{meeting.pk}/documents/{document.pk}/")
    assert datetime.fromisoformat(body["uploaded_at"]) == document.uploaded_at
    assert stored_files(media_root) == [document.file.name]
    with document.file.open("rb") as handle:
        assert handle.read() == PDF

    listed = client.get(f"/api/meetings/{meeting.pk}/documents/")
    assert listed.status_code == 200
    assert listed.json() == [body]

    downloaded = client.get(body["download_url"].removeprefix(portal_url("")))
    assert downloaded.status_code == 200
    assert content_of(downloaded) == PDF
    assert downloaded["Content-Type"] == "application/octet-stream"
    assert downloaded["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in downloaded["Content-Disposition"]  # the Thai name, encoded
    assert downloaded["Cache-Control"] == "private, no-store"
    assert downloaded["X-Content-Type-Options"] == "nosniff"
    # The meeting's page lists what the API attached.
    page = APIClient()
    page.force_login(StaffFactory.create(role=Role.ADMINISTRATOR, site_code="41").user)
    assert "รายงานผล.pdf" in page.get(f"/meetings/{meeting.pk}/").content.decode()


def test_a_client_that_accepts_only_the_file_gets_it_and_json_errors(scheduler):
    meeting = MeetingFactory.create(created_by=scheduler, sites=("4122",))
    document = document_attach(meeting=meeting, file=SimpleUploadedFile("ภาพ.png", PNG), uploaded_by=scheduler)
    client = api_as(Role.SCHEDULER, "41")
    found = client.get(f"/api/meetings/{meeting.pk}/documents/{document.pk}/", HTTP_ACCEPT="application/octet-stream")
    assert found.status_code == 200
    assert content_of(found) == PNG
    missing = client.get(f"/api/meetings/{meeting.pk}/documents/999999/", HTTP_ACCEPT="application/octet-stream")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"
    assert set(missing.json()) == {"detail"}


@pytest.mark.parametrize(
    ("name", "content", "text"),
    [
        ("โปรแกรม.exe", b"MZ" + b"\x00" * 40, "ไฟล์ “โปรแกรม.exe” เป็นชนิดที่ไม่รองรับ: แนบได้เฉพาะ PDF, PowerPoint"),
        ("ปลอม.pdf", b"MZ" + b"\x00" * 40, "เนื้อหาของไฟล์ “ปลอม.pdf” ไม่ใช่ไฟล์ .pdf จริง"),
        ("ว่าง.pdf", b"", "ไฟล์ “ว่าง.pdf” ว่างเปล่า"),
    ],
    ids=["type-not-allowed", "renamed", "empty"],
)
def test_a_file_of_the_wrong_type_is_a_400_and_nothing_is_kept(scheduler, media_root, name, content, text):
    meeting = MeetingFactory.create(created_by=scheduler)
    response = upload(api_as(Role.SCHEDULER, "41"), meeting.pk, name, content)
    assert response.status_code == 400
    (message,) = response.json()["file"]
    assert message.startswith(text), message
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_too_big_is_a_400_with_the_limit_and_nothing_is_kept(scheduler, media_root, settings):
    settings.MEETINGS_DOCUMENT_MAX_BYTES = 1024 * 1024
    meeting = MeetingFactory.create(created_by=scheduler)
    response = upload(api_as(Role.ADMINISTRATOR, "41"), meeting.pk, "ใหญ่.pdf", PDF + b"0" * (2 * 1024 * 1024))
    assert response.status_code == 400
    assert response.json() == {
        "file": ["ไฟล์ “ใหญ่.pdf” ใหญ่ 2.0 MB เกินขนาดสูงสุด 1.0 MB: ย่อขนาดไฟล์ (เช่น บีบอัดวิดีโอหรือรูปภาพ) แล้วแนบใหม่"]
    }
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_no_file_or_not_multipart_is_a_clear_400_or_415(scheduler):
    meeting = MeetingFactory.create(created_by=scheduler)
    client = api_as(Role.SCHEDULER, "41")
    empty = client.post(f"/api/meetings/{meeting.pk}/documents/", {}, format="multipart")
    assert empty.status_code == 400
    assert empty.json() == {"file": ["เลือกไฟล์ที่จะแนบ (ช่อง file แบบ multipart/form-data)"]}
    text = client.post(f"/api/meetings/{meeting.pk}/documents/", {"file": "รายงาน.pdf"}, format="multipart")
    assert text.status_code == 400
    assert text.json() == {"file": ["ไม่พบไฟล์ในคำขอ: ส่งไฟล์ในช่อง file แบบ multipart/form-data"]}
    json = client.post(f"/api/meetings/{meeting.pk}/documents/", {"file": "x"}, format="json")
    assert json.status_code == 415
    assert not Document.objects.exists()


def test_no_documents_for_a_cancelled_meeting(scheduler, media_root):
    meeting = MeetingFactory.create(created_by=scheduler)
    meeting_cancel(meeting=meeting, by=scheduler)
    response = upload(api_as(Role.SCHEDULER, "41"), meeting.pk, "รายงาน.pdf", PDF)
    assert response.status_code == 400
    assert response.json() == {"file": ["การประชุมนี้ยกเลิกหรือเสร็จสิ้นแล้ว: แนบเอกสารไม่ได้"]}
    assert stored_files(media_root) == []


def test_the_list_and_uploads_are_for_the_provinces_schedulers_and_administrators(scheduler, media_root):
    meeting = MeetingFactory.create(created_by=scheduler, sites=("4122",))
    path = f"/api/meetings/{meeting.pk}/documents/"
    for role, code, expected in (
        (Role.CLERK, "4122", 403),  # a site taking part: it downloads, the meeting's page is not its own
        (Role.FINANCE, "41", 403),
        (Role.FINANCE, "4122", 403),
        (Role.SCHEDULER, "39", 404),  # another province's meeting
    ):
        client = api_as(role, code)
        assert client.get(path).status_code == expected, (role, code)
        assert upload(client, meeting.pk, "รายงาน.pdf", PDF).status_code == expected, (role, code)
    assert APIClient().get(path).status_code == 403
    assert api_as(Role.SCHEDULER, "41").get("/api/meetings/999999/documents/").status_code == 404
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_a_document_is_downloaded_by_who_may_open_it_on_the_page(scheduler):
    meeting = MeetingFactory.create(created_by=scheduler, sites=("4122",))
    document = document_attach(meeting=meeting, file=SimpleUploadedFile("รายงาน.pdf", PDF), uploaded_by=scheduler)
    other = MeetingFactory.create(created_by=scheduler, sites=("4101",))
    path = f"/api/meetings/{meeting.pk}/documents/{document.pk}/"
    for role, code in ((Role.CLERK, "4122"), (Role.SCHEDULER, "41"), (Role.ADMINISTRATOR, "41")):
        response = api_as(role, code).get(path)
        assert response.status_code == 200, (role, code)
        assert content_of(response) == PDF
    for role, code, expected in (
        (Role.CLERK, "4101", 404),  # a site not taking part
        (Role.SCHEDULER, "39", 404),
        (Role.FINANCE, "41", 403),
        (Role.FINANCE, "4122", 403),
    ):
        assert api_as(role, code).get(path).status_code == expected, (role, code)
    # A document is only found under its own meeting.
    assert api_as(Role.SCHEDULER, "41").get(f"/api/meetings/{other.pk}/documents/{document.pk}/").status_code == 404
    assert APIClient().get(path).status_code == 403


def test_in_production_nginx_sends_the_file(scheduler, settings):
    settings.PRACHUM_MEDIA_ACCEL_REDIRECT = "/protected-media/"
    meeting = MeetingFactory.create(created_by=scheduler)
    document = document_attach(meeting=meeting, file=SimpleUploadedFile("a.pdf", PDF), uploaded_by=scheduler)
    response = api_as(Role.SCHEDULER, "41").get(f"/api/meetings/{meeting.pk}/documents/{document.pk}/")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{document.file.name}"
    assert response["Content-Type"] == "application/octet-stream"
    assert response.content == b""


def test_the_list_costs_the_same_queries_for_one_document_as_for_many(scheduler):
    meeting = MeetingFactory.create(created_by=scheduler)
    client = api_as(Role.SCHEDULER, "41")
    document_attach(meeting=meeting, file=SimpleUploadedFile("1.pdf", PDF), uploaded_by=scheduler)
    client.get(f"/api/meetings/{meeting.pk}/documents/")  # the first request also reads who asks (then cached)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(f"/api/meetings/{meeting.pk}/documents/").json()) == 1
    for number in range(2, 7):
        document_attach(meeting=meeting, file=SimpleUploadedFile(f"{number}.png", PNG), uploaded_by=scheduler)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(f"/api/meetings/{meeting.pk}/documents/").json()) == 6
    assert len(many) == len(one)
