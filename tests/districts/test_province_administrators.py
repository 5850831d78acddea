"""One portal for the whole country (issue 14): a province's administrator manages their own province and nothing
else — not a superuser, the Django admin narrowed to their province, the audit log theirs alone — and a person's
erasure leaves the audit log's entries under a pseudonym."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from districts.access import Role
from districts.administrators import GROUP
from districts.services import province_sites_create
from foundation.audit import audit_record
from foundation.models import AuditEntry
from foundation.personal_data import personal_data_erase
from meetings.models import MediaServer, Meeting
from tests.factories.api import api_as
from tests.factories.districts import StaffFactory
from tests.factories.meetings import MediaServerFactory, MeetingFactory, site

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def two_provinces(db):
    """Udon Thani (41) and Nong Bua Lam Phu (39), a meeting, a scheduler and a media server of each, a shared one."""
    province_sites_create(province_code="39")
    shared = MediaServerFactory.create(name="national")
    ours = MediaServerFactory.create(name="udon", province=site("41").province)
    theirs = MediaServerFactory.create(name="nongbua", province=site("39").province)
    udon_scheduler = StaffFactory.create(role=Role.SCHEDULER, site_code="41")
    nongbua_scheduler = StaffFactory.create(role=Role.SCHEDULER, site_code="39")
    return {
        "ours": MeetingFactory.create(host="41", sites=("4101",), created_by=udon_scheduler.user),
        "theirs": MeetingFactory.create(host="39", sites=("3901",), created_by=nongbua_scheduler.user),
        "udon_scheduler": udon_scheduler, "nongbua_scheduler": nongbua_scheduler,
        "shared": shared, "our_server": ours, "their_server": theirs,
    }


@pytest.fixture
def admin41(db) -> Client:
    client = Client()
    client.force_login(StaffFactory.create(role=Role.ADMINISTRATOR, site_code="41").user)
    return client


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


def test_a_province_administrator_is_staff_of_the_admin_through_the_group_and_never_a_superuser(db):
    staff = StaffFactory.create(role=Role.ADMINISTRATOR, site_code="41")
    user = staff.user
    assert (user.is_staff, user.is_superuser) == (True, False)
    assert list(user.groups.values_list("name", flat=True)) == [GROUP]
    assert user.has_perm("meetings.change_mediaserver")
    assert not user.has_perm("auth.change_user")  # accounts' own pages are the operators'
    assert not user.has_perm("meetings.change_meeting")  # meetings are scheduled on the portal's pages
    clerk = StaffFactory.create(role=Role.CLERK, site_code="4101").user
    assert (clerk.is_staff, clerk.is_superuser, clerk.groups.count()) == (False, False, 0)


def test_another_provinces_rows_are_not_found_and_lists_hold_only_their_own(two_provinces, admin41):
    ours, theirs = two_provinces["ours"], two_provinces["theirs"]
    listing = admin41.get(admin_url("meetings_meeting_changelist"))
    assert listing.status_code == 200
    assert ours.title in listing.content.decode()
    assert list(listing.context["cl"].queryset) == [ours]
    assert admin41.get(admin_url("meetings_meeting_change", ours.pk)).status_code == 200
    assert admin41.get(admin_url("meetings_meeting_change", theirs.pk)).status_code == 404

    ours_staff, theirs_staff = two_provinces["udon_scheduler"], two_provinces["nongbua_scheduler"]
    staff_list = admin41.get(admin_url("districts_staff_changelist")).context["cl"].queryset
    assert ours_staff in staff_list
    assert all(s.site.province.code == "41" for s in staff_list)
    for name in ("districts_staff_change", "districts_staff_password", "districts_staff_delete"):
        assert admin41.get(admin_url(name, theirs_staff.pk)).status_code == 404, name
    # Their scheduler's account pages (the old way to a password reset) and every token page: operators only.
    for url in (admin_url("auth_user_password_change", theirs_staff.user_id), admin_url("auth_user_changelist"),
                admin_url("auth_user_change", ours_staff.user_id)):
        assert admin41.get(url).status_code in (403, 404), url
    assert admin41.post(admin_url("districts_staff_password", theirs_staff.pk),
                        {"password1": "x-Very-long-9", "password2": "x-Very-long-9"}).status_code == 404
    assert not get_user_model().objects.get(pk=theirs_staff.user_id).check_password("x-Very-long-9")
    assert admin41.get(admin_url("join_joinpass_changelist")).context["cl"].queryset.filter(
        meeting=theirs).count() == 0


def test_an_administrator_resets_a_password_of_their_province_and_it_is_audited(two_provinces, admin41):
    staff = two_provinces["udon_scheduler"]
    url = admin_url("districts_staff_password", staff.pk)
    assert admin41.get(url).status_code == 200
    response = admin41.post(url, {"password1": "Udon-new-2569!", "password2": "Udon-new-2569!"})
    assert response.status_code == 302
    staff.user.refresh_from_db()
    assert staff.user.check_password("Udon-new-2569!")
    entry = AuditEntry.objects.get(target_type="districts.Staff", target_id=str(staff.pk), action="update")
    assert (entry.detail, entry.province_code) == ({"changed": ["password"]}, "41")


def test_media_servers_shared_ones_read_only_another_provinces_hidden_ours_with_our_secrets_only(
    two_provinces, admin41
):
    shared, ours, theirs = two_provinces["shared"], two_provinces["our_server"], two_provinces["their_server"]
    listed = set(admin41.get(admin_url("meetings_mediaserver_changelist")).context["cl"].queryset)
    assert listed == {shared, ours}
    assert admin41.get(admin_url("meetings_mediaserver_change", theirs.pk)).status_code == 404
    # The shared server's page opens read-only, and a POST to point it at another host is refused.
    page = admin41.get(admin_url("meetings_mediaserver_change", shared.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    before = MediaServer.objects.get(pk=shared.pk).admin_url
    form = {"name": shared.name, "kind": "janus", "state": "active", "capacity_sites": 10,
            "url": "https://evil.example/janus", "admin_url": "https://evil.example/admin", "public_url": "",
            "options": "{}", "secret_env": "JANUS_MAIN", "province": site("41").province.pk}
    assert admin41.post(admin_url("meetings_mediaserver_change", shared.pk), form).status_code == 403
    assert MediaServer.objects.get(pk=shared.pk).admin_url == before

    # Our own server: the secrets it names must be our province's (another prefix would send them elsewhere).
    response = admin41.post(admin_url("meetings_mediaserver_change", ours.pk), {**form, "name": ours.name})
    assert response.status_code == 200
    assert "P41_" in response.content.decode()
    response = admin41.post(admin_url("meetings_mediaserver_change", ours.pk),
                            {**form, "name": ours.name, "secret_env": "P41_JANUS", "url": "https://m41.example/janus",
                             "admin_url": "https://m41.example/admin"})
    assert response.status_code == 302, response.content.decode()[-2000:]
    # A new server is always our province's: no national one, no other province's.
    response = admin41.post(admin_url("meetings_mediaserver_add"),
                            {**form, "name": "new", "secret_env": "P41_NEW", "province": site("39").province.pk})
    assert response.status_code == 200
    assert not MediaServer.objects.filter(name="new").exists()
    response = admin41.post(admin_url("meetings_mediaserver_add"), {**form, "name": "new", "secret_env": "P41_NEW",
                                                                   "province": ""})
    assert not MediaServer.objects.filter(name="new").exists()


def test_the_audit_log_is_the_provinces_own_in_the_api_and_the_admin(two_provinces, admin41):
    audit_record(actor=two_provinces["udon_scheduler"].user, action="update", target=two_provinces["ours"])
    audit_record(actor=two_provinces["nongbua_scheduler"].user, action="update", target=two_provinces["theirs"])
    assert set(AuditEntry.objects.values_list("province_code", flat=True)) == {"41", "39"}

    api = api_as(Role.ADMINISTRATOR, "41")
    entries = api.get("/api/audit/").json()["results"]
    assert entries
    assert {entry["target_id"] for entry in entries} == {str(two_provinces["ours"].pk)}
    listed = admin41.get(admin_url("foundation_auditentry_changelist")).context["cl"].queryset
    assert set(listed.values_list("province_code", flat=True)) == {"41"}
    theirs = AuditEntry.objects.filter(province_code="39").first()
    assert admin41.get(admin_url("foundation_auditentry_change", theirs.pk)).status_code == 404


def test_an_administrator_cannot_schedule_with_another_provinces_sites_through_the_api(two_provinces):
    api = api_as(Role.ADMINISTRATOR, "41")
    before = Meeting.objects.count()
    response = api.post("/api/meetings/", {
        "title": "ประชุมข้ามจังหวัด", "host_site": "41", "sites": ["3901"],
        "start": "2030-01-07T09:00:00+07:00", "end": "2030-01-07T10:00:00+07:00",
    }, format="json")
    assert response.status_code in (400, 403)
    assert Meeting.objects.count() == before
    assert api.get(f"/api/meetings/{two_provinces['theirs'].pk}/").status_code == 404


def test_operators_see_every_province(two_provinces):
    operator = get_user_model().objects.create_superuser("operator", "ops@example.go.th", "x-Operator-1")
    client = Client()
    client.force_login(operator)
    listed = set(client.get(admin_url("meetings_meeting_changelist")).context["cl"].queryset)
    assert listed == {two_provinces["ours"], two_provinces["theirs"]}


def test_erasure_pseudonymises_the_person_in_the_audit_log_and_keeps_the_entries(two_provinces):
    staff = two_provinces["udon_scheduler"]
    user = staff.user
    audit_record(actor=user, action="update", target=two_provinces["ours"])
    audit_record(actor=StaffFactory.create(role=Role.ADMINISTRATOR, site_code="41").user, action="role_change",
                 target=staff)
    name = user.get_username()
    count = AuditEntry.objects.count()
    personal_data_erase(user=user, by=None)
    assert AuditEntry.objects.count() == count + 1  # the erasure itself is recorded; nothing was deleted
    assert not AuditEntry.objects.filter(actor_username=name).exists()
    assert AuditEntry.objects.filter(actor_id=user.pk, actor_username=f"erased-{user.pk}").exists()
    about = AuditEntry.objects.get(action="role_change", target_id=str(staff.pk))
    assert about.target_repr == f"erased-{user.pk}"
    assert "ทดสอบ" not in about.target_repr  # their first name was in it
