"""Every empty required field of the meeting pages says what to type, never Django's generic "ฟิลด์นี้จำเป็น"
(issue 15, point 16)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from districts.models import Staff
from tests.factories.meetings import MeetingFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL

GENERIC = ("ฟิลด์นี้จำเป็น", "This field is required")


def no_generic(html: str) -> None:
    for text in GENERIC:
        assert text not in html


def test_the_edit_form_says_what_to_type(login, fake_server):
    meeting = MeetingFactory.create()
    client = login(Staff.Role.SCHEDULER, "41")
    response = client.post(reverse("meetings:edit", kwargs={"pk": meeting.pk}), {"title": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "พิมพ์เรื่องที่ประชุม เช่น" in html
    no_generic(html)


def test_an_upload_without_a_file_says_what_to_choose(login, fake_server):
    meeting = MeetingFactory.create()
    client = login(Staff.Role.SCHEDULER, "41")
    response = client.post(reverse("meetings:document-upload", kwargs={"pk": meeting.pk}), {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "เลือกไฟล์เอกสารที่จะแนบ" in html
    no_generic(html)


def test_the_cancel_page_asks_for_a_reason(login, fake_server):
    meeting = MeetingFactory.create()
    client = login(Staff.Role.SCHEDULER, "41")
    response = client.post(reverse("meetings:cancel", kwargs={"pk": meeting.pk}), {"reason": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "บอกเหตุที่ยกเลิก เช่น" in html
    no_generic(html)
