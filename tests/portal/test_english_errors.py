"""A service's refusal reads in the person's language: English for an English user, the Thai source for a Thai one.

The services put their messages through gettext when they raise, so the language is the one of the request (the
language cookie or Accept-Language, through LocaleMiddleware) or the one a caller activates. Each case below is
asked both ways: the English assertions cannot pass by the message being missing, nor the Thai ones by accident.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from billing.services import charge_mark_paid
from districts.models import Staff
from join.links import join_path
from join.models import JoinPass
from meetings.services import document_attach
from meetings.services.scheduling import meeting_cancel
from tests.factories.api import api_as
from tests.factories.billing import bill, charge_of, udon_lines
from tests.factories.meetings import MeetingFactory, SchedulerFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MUEANG = "4101"


def cancelled_meeting():
    scheduler = SchedulerFactory.create()
    meeting = MeetingFactory.create(sites=(MUEANG,), created_by=scheduler)
    meeting_cancel(meeting=meeting, by=scheduler)
    meeting.refresh_from_db()
    return meeting


# A service called with a language active (as a view's request activates it) --------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "The file “big.pdf” is 2.0 MB, over the maximum size of 1.0 MB: make the file smaller "
            "(e.g. compress the video or pictures) and attach it again",
        ),
        ("th", "ไฟล์ “big.pdf” ใหญ่ 2.0 MB เกินขนาดสูงสุด 1.0 MB: ย่อขนาดไฟล์ (เช่น บีบอัดวิดีโอหรือรูปภาพ) แล้วแนบใหม่"),
    ],
)
def test_a_document_too_large_is_refused_in_the_persons_language(settings, tmp_path, language, expected):
    settings.MEDIA_ROOT = tmp_path
    settings.MEETINGS_DOCUMENT_MAX_BYTES = 1024 * 1024
    meeting = MeetingFactory.create()
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (2 * 1024 * 1024))
    with translation.override(language), pytest.raises(ValidationError) as caught:
        document_attach(meeting=meeting, file=big)
    assert caught.value.message_dict["file"] == [expected]


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("en", ["has been paid (invoice INV-1 on ", "it cannot be recorded again", "record an adjustment"], "ชำระแล้ว"),
        ("th", ["ชำระแล้ว (ใบแจ้งหนี้ INV-1 วันที่ ", "บันทึกซ้ำไม่ได้"], "has been paid"),
    ],
)
def test_a_second_payment_is_refused_in_the_persons_language(language, expected, absent):
    udon_lines()
    january = datetime.date(2019, 1, 1)
    bill(january)
    charge = charge_of("4122", january)
    charge_mark_paid(charge=charge, invoice_number="INV-1", paid_on=datetime.date(2019, 2, 5))
    with translation.override(language), pytest.raises(ValidationError) as caught:
        charge_mark_paid(charge=charge, invoice_number="INV-2", paid_on=datetime.date(2019, 2, 6))
    message = caught.value.messages[0]
    for text in expected:
        assert text in message
    assert absent not in message


# The same through the API and a page, the language chosen by the request -----------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, "This meeting has been cancelled: there is no join link to reissue"),
        ({}, "การประชุมนี้ยกเลิกแล้ว: ไม่มีลิงก์เข้าร่วมให้ออกใหม่"),
    ],
    ids=["en", "th"],
)
def test_a_join_link_renewal_of_a_cancelled_meeting_is_refused_in_the_callers_language(headers, expected):
    meeting = cancelled_meeting()
    clerk = api_as(Staff.Role.CLERK, MUEANG)
    response = clerk.post(f"/api/sites/{MUEANG}/meetings/{meeting.pk}/join-pass/renew/", **headers)
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [expected]}


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("en", ["This meeting has been cancelled", "has been cancelled"], "ยกเลิกแล้ว"),
        ("th", ["การประชุมนี้ถูกยกเลิกแล้ว", "ยกเลิกแล้ว"], "has been cancelled"),
    ],
)
def test_the_join_page_of_a_cancelled_meeting_says_why_in_the_cookies_language(
    client, settings, language, expected, absent
):
    meeting = cancelled_meeting()
    join_pass = JoinPass.objects.get(meeting=meeting, site__district__code=MUEANG, revoked_at__isnull=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(join_path(join_pass.token))
    assert response.status_code == 410
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    for text in expected:
        assert text in body
    assert absent not in body
