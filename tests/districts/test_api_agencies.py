"""/api/agencies/: the province's active agencies, for its schedulers and administrators, read-only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from districts.models import Agency, District, Province, Staff
from districts.services import province_sites_create
from portal.api_tokens import api_token_issue
from tests.factories.districts import StaffFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL
Role = Staff.Role


def api_as(role: str, code: str = "41") -> APIClient:
    client = APIClient()
    staff = StaffFactory.create(role=role, site_code=code)
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=staff.user)[1]}")
    return client


def agency(name: str, *, province: str = "41", district: str | None = None, **fields) -> Agency:
    value = Agency(
        province=Province.objects.get(code=province),
        district=District.objects.get(code=district) if district else None,
        name=name, email=fields.pop("email", "office@example.go.th"), **fields,
    )
    value.full_clean()
    value.save()
    return value


def test_the_provinces_active_agencies_by_name():
    health = agency("สำนักงานสาธารณสุขจังหวัดอุดรธานี", contact_name="นางสาวสมใจ ใจดี", phone="042-111222",
                    email="ssj@example.go.th")
    district_office = agency("ที่ว่าการอำเภอเมืองอุดรธานี", district="4101")
    agency("หน่วยงานที่เลิกใช้แล้ว", is_active=False)
    province_sites_create(province_code="39")
    agency("สำนักงานจังหวัดหนองบัวลำภู", province="39")

    response = api_as(Role.SCHEDULER).get("/api/agencies/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    assert body["results"] == [
        {"id": district_office.pk, "name": "ที่ว่าการอำเภอเมืองอุดรธานี", "district_code": "4101",
         "contact_name": "", "email": "office@example.go.th", "phone": ""},
        {"id": health.pk, "name": "สำนักงานสาธารณสุขจังหวัดอุดรธานี", "district_code": None,
         "contact_name": "นางสาวสมใจ ใจดี", "email": "ssj@example.go.th", "phone": "042-111222"},
    ]
    other = api_as(Role.ADMINISTRATOR, "39").get("/api/agencies/").json()
    assert [a["name"] for a in other["results"]] == ["สำนักงานจังหวัดหนองบัวลำภู"]


def test_only_schedulers_and_administrators_and_read_only():
    made = agency("สำนักงานจังหวัดอุดรธานี")
    assert api_as(Role.ADMINISTRATOR).get("/api/agencies/").status_code == 200
    for role, code in ((Role.CLERK, "4101"), (Role.FINANCE, "41"), (Role.FINANCE, "4101")):
        assert api_as(role, code).get("/api/agencies/").status_code == 403
    assert APIClient().get("/api/agencies/").status_code in {401, 403}
    scheduler = api_as(Role.SCHEDULER)
    assert scheduler.post("/api/agencies/", {"name": "x", "email": "x@example.go.th"}).status_code == 405
    assert scheduler.get(f"/api/agencies/{made.pk}/").status_code == 404  # a list only
    assert Agency.objects.count() == 1


def test_the_same_queries_for_one_agency_as_for_many():
    client = api_as(Role.SCHEDULER)
    agency("หน่วยงาน 0", district="4101")

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get("/api/agencies/").status_code == 200
        return len(context)

    client.get("/api/agencies/")  # the first request reads who asks (then kept in the cache)
    one = queries()
    for number, code in enumerate(("4102", "4103", "4104", None, None), start=1):
        agency(f"หน่วยงาน {number}", district=code)
    assert client.get("/api/agencies/").json()["count"] == 6
    assert queries() == one
