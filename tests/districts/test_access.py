"""Role boundaries: a clerk sees only their own site; only administrators reach the admin."""

import pytest

from districts.models import Staff

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL
Role = Staff.Role


def test_clerk_opens_their_own_site_page(login):
    client = login(Role.CLERK, "4122")
    response = client.get("/sites/4122/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "ที่ทำการปกครองอำเภอนายูง" in html
    assert "โปรเจกเตอร์" in html  # the room checklist


def test_clerk_cannot_open_another_sites_page(login):
    client = login(Role.CLERK, "4122")
    response = client.get("/sites/4101/")
    assert response.status_code == 403
    assert "ไม่มีสิทธิ์" in response.content.decode()
    assert client.get("/sites/41/").status_code == 403


def test_clerk_cannot_open_the_site_list_or_the_admin(login):
    client = login(Role.CLERK, "4122")
    assert client.get("/sites/").status_code == 403
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert client.get("/admin/districts/site/").status_code == 302


def test_clerk_cannot_reach_scheduling_or_finance(login):
    client = login(Role.CLERK, "4122")
    assert client.get("/meetings/").status_code == 403
    assert client.get("/billing/").status_code == 403


def test_scheduler_sees_every_site_of_the_province_only(login, staff_factory):
    from districts.services import province_sites_create

    province_sites_create(province_code="39")
    client = login(Role.SCHEDULER, "41")
    html = client.get("/sites/").content.decode()
    assert html.count('href="/sites/41') == 21
    assert client.get("/sites/4122/").status_code == 200
    assert client.get("/sites/39/").status_code == 403


def test_unknown_site_is_404(login):
    client = login(Role.SCHEDULER, "41")
    assert client.get("/sites/9999/").status_code == 404


def test_administrator_reaches_the_admin_in_thai(login):
    client = login(Role.ADMINISTRATOR, "41")
    response = client.get("/admin/districts/district/?q=นายูง")
    assert response.status_code == 200
    assert "อำเภอ" in response.content.decode()


def test_finance_officer_has_no_admin(login):
    client = login(Role.FINANCE, "41")
    assert client.get("/admin/").status_code == 302


def test_sites_api_follows_the_same_rule(login):
    clerk = login(Role.CLERK, "4122")
    body = clerk.get("/api/sites/").json()
    assert [site["code"] for site in body["results"]] == ["4122"]
    assert clerk.get("/api/sites/").status_code == 200


def test_sites_api_for_a_scheduler_lists_the_province(login):
    body = login(Role.SCHEDULER, "41").get("/api/sites/").json()
    assert body["count"] == 21


def test_api_refuses_anonymous(client):
    assert client.get("/api/sites/").status_code in {401, 403}


def test_a_scheduler_must_belong_to_the_hall(staff_factory):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="ศาลากลาง"):
        staff_factory.create(role=Role.SCHEDULER, site_code="4122")
    assert not Staff.objects.filter(role=Role.SCHEDULER).exists()
