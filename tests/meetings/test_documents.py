"""Documents for presentations: the allowed kinds are kept, anything else is refused with a clear message."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from meetings.models import Document
from meetings.services import document_attach
from meetings.services.scheduling import meeting_cancel
from tests.factories.meetings import MeetingFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32
PPTX = b"PK\x03\x04" + b"\x00" * 32


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [("รายงาน.pdf", PDF, "pdf"), ("สไลด์.pptx", PPTX, "pptx"), ("ภาพ.PNG", PNG, "image"), ("คลิป.mp4", MP4, "video")],
)
def test_allowed_documents_are_kept(scheduler, name, content, kind):
    meeting = MeetingFactory.create(created_by=scheduler)
    document = document_attach(meeting=meeting, file=SimpleUploadedFile(name, content), uploaded_by=scheduler)
    document.refresh_from_db()
    assert (document.name, document.kind, document.size) == (name, kind, len(content))
    with document.file.open("rb") as handle:
        assert handle.read() == content


@pytest.mark.parametrize(
    ("name", "content", "text"),
    [
        ("โปรแกรม.exe", b"MZ" + b"\x00" * 40, "เป็นชนิดที่ไม่รองรับ: แนบได้เฉพาะ PDF, PowerPoint"),
        ("ไม่มีนามสกุล", PDF, "เป็นชนิดที่ไม่รองรับ"),
        ("ปลอม.pdf", b"MZ" + b"\x00" * 40, "ไม่ใช่ไฟล์ .pdf จริง"),
        ("ว่าง.pdf", b"", "ว่างเปล่า"),
    ],
    ids=["exe", "no-extension", "renamed", "empty"],
)
def test_wrong_type_is_refused_and_nothing_kept(scheduler, name, content, text):
    meeting = MeetingFactory.create(created_by=scheduler)
    with pytest.raises(ValidationError) as caught:
        document_attach(meeting=meeting, file=SimpleUploadedFile(name, content), uploaded_by=scheduler)
    assert text in caught.value.message_dict["file"][0]
    assert not Document.objects.exists()


def test_too_big_is_refused_with_the_limit(scheduler, settings):
    settings.MEETINGS_DOCUMENT_MAX_BYTES = 1024 * 1024
    meeting = MeetingFactory.create(created_by=scheduler)
    big = SimpleUploadedFile("ใหญ่.pdf", PDF + b"0" * (2 * 1024 * 1024))
    with pytest.raises(ValidationError) as caught:
        document_attach(meeting=meeting, file=big, uploaded_by=scheduler)
    assert caught.value.message_dict["file"] == [
        "ไฟล์ “ใหญ่.pdf” ใหญ่ 2.0 MB เกินขนาดสูงสุด 1.0 MB: ย่อขนาดไฟล์ (เช่น บีบอัดวิดีโอหรือรูปภาพ) แล้วแนบใหม่"
    ]
    assert not Document.objects.exists()


def test_no_documents_for_a_cancelled_meeting(scheduler):
    meeting = MeetingFactory.create(created_by=scheduler)
    meeting_cancel(meeting=meeting, by=scheduler)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError):
        document_attach(meeting=meeting, file=SimpleUploadedFile("a.pdf", PDF), uploaded_by=scheduler)


def _attached(scheduler, sites=("4122",)):
    meeting = MeetingFactory.create(created_by=scheduler, sites=sites)
    document = document_attach(meeting=meeting, file=SimpleUploadedFile("รายงาน.pdf", PDF), uploaded_by=scheduler)
    return meeting, document


def test_documents_are_downloaded_through_the_portal_by_who_may_see_them(scheduler, login, client):
    meeting, document = _attached(scheduler)
    url = f"/meetings/{meeting.pk}/documents/{document.pk}/"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    response = login("clerk", "4122").get(url)  # a site taking part
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # reading it to the end closes the file
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    from django.test import Client

    for role, code in (("clerk", "4101"), ("finance", "41"), ("scheduler", "39")):
        from districts.services import province_sites_create

        province_sites_create(province_code="39")
        assert login(role, code, Client()).get(url).status_code == 404, (role, code)
    response = login("scheduler", "41", Client()).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_in_production_nginx_sends_the_file(scheduler, login, settings):
    settings.PRACHUM_MEDIA_ACCEL_REDIRECT = "/protected-media/"
    meeting, document = _attached(scheduler)
    response = login("scheduler", "41").get(f"/meetings/{meeting.pk}/documents/{document.pk}/")
    assert response.status_code == 200
    assert unquote(response["X-Accel-Redirect"]) == f"/protected-media/{document.file.name}"
    assert response.content == b""
