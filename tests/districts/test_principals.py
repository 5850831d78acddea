"""Who asks is read through the cache (districts.principals) and a change to them is seen by the next request:
a role taken away, an account disabled, a password changed, a site renamed."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from districts.models import Site, Staff
from districts.principals import principal_get
from districts.services import staff_role_change
from tests.factories.districts import StaffFactory

pytestmark = [pytest.mark.django_db]

Role = Staff.Role


def site_page(code: str) -> str:
    return reverse("districts:site", kwargs={"code": code})


@pytest.fixture
def clerk(client):
    staff = StaffFactory.create(role=Role.CLERK, site_code="4101")
    client.force_login(staff.user)
    assert client.get(site_page("4101")).status_code == 200  # who asks is in the cache now
    assert client.get(site_page("4101")).status_code == 200  # and the page (the first visit made the feed link)
    return staff


def test_the_daily_visit_reads_who_asks_from_the_cache(clerk, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get(site_page("4101")).status_code == 200
    user = principal_get(clerk.user_id)
    assert user.pk == clerk.user_id
    assert user._prachum_staff.site.code == "4101"
    assert user._prachum_staff.site.province.code == "41"


def test_a_role_taken_away_is_seen_by_the_next_request(clerk, client):
    staff_role_change(staff=clerk, role=Role.CLERK, site=Site.objects.get(district__code="4102"))
    assert client.get(site_page("4101")).status_code == 403  # not their site any more
    assert client.get(site_page("4102")).status_code == 200
    Staff.objects.get(pk=clerk.pk).delete()
    assert client.get(site_page("4102")).status_code == 403  # no role at all


def test_a_disabled_account_is_signed_out_at_the_next_request(clerk, client):
    user = get_user_model().objects.get(pk=clerk.user_id)
    user.is_active = False
    user.save()
    answer = client.get(site_page("4101"))
    assert answer.status_code == 302
    assert answer.url.startswith(reverse("login"))


def test_a_changed_password_ends_the_other_sessions(clerk, client):
    user = get_user_model().objects.get(pk=clerk.user_id)
    user.set_password("a new and long password 2569")
    user.save()
    assert client.get(site_page("4101")).status_code == 302  # the session's hash is of the old password


def test_a_renamed_site_is_seen_by_the_next_request(clerk, client):
    Site.objects.filter(pk=clerk.site_id).update(name="changed without a signal")  # .update(): no signal...
    assert principal_get(clerk.user_id)._prachum_staff.site.name != "changed without a signal"  # ...kept (MAX_AGE)
    site = Site.objects.get(pk=clerk.site_id)
    site.name = "ที่ว่าการอำเภอเมืองอุดรธานี (อาคารใหม่)"
    site.save()
    assert principal_get(clerk.user_id)._prachum_staff.site.name == "ที่ว่าการอำเภอเมืองอุดรธานี (อาคารใหม่)"


def test_without_a_shared_cache_who_asks_is_read_from_the_database(clerk, client, settings, django_assert_num_queries):
    settings.PRACHUM_CACHE_PRINCIPALS = False
    with django_assert_num_queries(1):  # the user with their Staff row, site, district and province
        user = principal_get(clerk.user_id)
    assert user._prachum_staff.pk == clerk.pk
    staff_role_change(staff=clerk, role=Role.FINANCE)
    assert principal_get(clerk.user_id)._prachum_staff.role == Role.FINANCE


def test_a_user_without_staff_row_has_none(db):
    user = get_user_model().objects.create_user("no-role", password="x" * 20)
    assert principal_get(user.pk)._prachum_staff is None
    assert principal_get(user.pk + 1000) is None


def test_a_token_caller_is_read_through_the_cache_and_a_role_change_is_seen(db):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    staff = StaffFactory.create(role=Role.CLERK, site_code="4101")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + Token.objects.create(user=staff.user).key)
    path = "/api/sites/4101/meetings/"
    assert api.get(path).status_code == 200
    assert principal_get(staff.user_id)._prachum_staff.role == Role.CLERK  # kept from that request
    staff_role_change(staff=staff, role=Role.CLERK, site=Site.objects.get(district__code="4102"))
    assert api.get(path).status_code == 403  # not their site any more
    assert api.get("/api/sites/4102/meetings/").status_code == 200
