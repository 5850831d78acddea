"""The sign-in page says what to type in an empty field, not Django's generic "ฟิลด์นี้จำเป็น" (issue 15, point 16)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_an_empty_sign_in_says_what_to_type(client):
    answer = client.post(reverse("login"), {"username": "", "password": ""}, HTTP_ACCEPT_LANGUAGE="th")
    body = answer.content.decode()
    assert answer.status_code == 200
    assert "พิมพ์ชื่อผู้ใช้ที่ผู้ดูแลระบบของจังหวัดให้ไว้" in body
    assert "พิมพ์รหัสผ่านของท่าน" in body
    assert "ฟิลด์นี้จำเป็น" not in body
