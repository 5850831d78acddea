"""Login throttling, the audit log, PDPA export and erasure, metrics, structured logs, OpenAPI docs offline."""

import json
import logging

import pytest
from django.contrib.auth import get_user_model

from districts.models import Site, Staff
from districts.services import staff_role_change
from foundation.models import AuditEntry
from foundation.personal_data import personal_data_erase, personal_data_export

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL
PRODUCTION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "districts.authentication.PrincipalBackend"]


@pytest.fixture
def throttled(settings):
    settings.AUTHENTICATION_BACKENDS = PRODUCTION_BACKENDS
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def test_login_is_locked_after_repeated_failures(client, staff_factory, throttled):
    staff = staff_factory.create(role=Staff.Role.CLERK, site_code="4122", username="clerk-x")
    staff.user.set_password("right-password")
    staff.user.save()
    for _ in range(3):
        response = client.post("/login/", {"username": "clerk-x", "password": "wrong"})
    assert response.status_code in {403, 429}
    response = client.post("/login/", {"username": "clerk-x", "password": "right-password"})
    assert response.status_code in {403, 429}
    assert "ระงับการเข้าสู่ระบบชั่วคราว" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_good_password_before_the_limit_logs_in(client, staff_factory, throttled):
    staff = staff_factory.create(role=Staff.Role.CLERK, site_code="4122", username="clerk-y")
    staff.user.set_password("right-password")
    staff.user.save()
    client.post("/login/", {"username": "clerk-y", "password": "wrong"})
    response = client.post("/login/", {"username": "clerk-y", "password": "right-password"})
    assert response.status_code == 302


def test_a_role_change_is_audited(staff_factory):
    admin = staff_factory.create(role=Staff.Role.ADMINISTRATOR, site_code="41")
    clerk = staff_factory.create(role=Staff.Role.CLERK, site_code="4122")
    staff_role_change(staff=clerk, role=Staff.Role.FINANCE, by=admin.user)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ROLE_CHANGE)
    assert entry.actor == admin.user
    assert entry.target_id == str(clerk.pk)
    assert entry.detail["before"]["role"] == "clerk"
    assert entry.detail["after"]["role"] == "finance"


def test_a_role_change_in_the_admin_is_audited(client, staff_factory):
    admin = staff_factory.create(role=Staff.Role.ADMINISTRATOR, site_code="41")
    clerk = staff_factory.create(role=Staff.Role.CLERK, site_code="4122")
    client.force_login(admin.user)
    response = client.post(
        f"/admin/districts/staff/{clerk.pk}/change/",
        {"user": clerk.user.pk, "role": "finance", "site": clerk.site_id, "phone": "", "preferred_language": "th"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    clerk.refresh_from_db()
    assert clerk.role == "finance"
    assert AuditEntry.objects.filter(action="role_change", actor=admin.user).count() == 1


def test_personal_data_export_and_erase(staff_factory):
    admin = staff_factory.create(role=Staff.Role.ADMINISTRATOR, site_code="41")
    clerk = staff_factory.create(role=Staff.Role.CLERK, site_code="4122")
    Staff.objects.filter(pk=clerk.pk).update(phone="081-234-5678")
    clerk.user.refresh_from_db()
    exported = personal_data_export(user=clerk.user, by=admin.user)
    assert exported["account"]["staff"]["phone"] == "081-234-5678"
    assert exported["account"]["email"] == clerk.user.email

    personal_data_erase(user=clerk.user, by=admin.user)
    user = get_user_model().objects.get(pk=clerk.user.pk)
    assert user.username == f"erased-{user.pk}"
    assert (user.first_name, user.email, user.is_active) == ("", "", False)
    assert not user.has_usable_password()
    assert Staff.objects.get(pk=clerk.pk).phone == ""
    actions = list(AuditEntry.objects.filter(target_id=str(user.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["pd_erase", "pd_export"]
    assert "081-234-5678" not in json.dumps(list(AuditEntry.objects.values("detail", "target_repr")))


def test_admin_exports_personal_data_as_json(client, staff_factory):
    admin = staff_factory.create(role=Staff.Role.ADMINISTRATOR, site_code="41")
    clerk = staff_factory.create(role=Staff.Role.CLERK, site_code="4122")
    client.force_login(admin.user)
    response = client.post(
        "/admin/districts/staff/", {"action": "export_personal_data", "_selected_action": [clerk.pk]}
    )
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data[clerk.user.username]["account"]["staff"]["site"] == Site.objects.get(district__code="4122").name


def test_audit_log_is_read_only_in_the_admin(client, staff_factory):
    admin = staff_factory.create(role=Staff.Role.ADMINISTRATOR, site_code="41")
    client.force_login(admin.user)
    assert client.get("/admin/foundation/auditentry/").status_code == 200
    assert client.get("/admin/foundation/auditentry/add/").status_code == 403


def test_metrics_are_exposed_for_prometheus(client):
    client.get("/login/")
    body = client.get("/metrics").content.decode()
    assert "django_http_requests_total_by_method_total" in body


def test_json_log_lines(capsys):
    from logging.config import dictConfig

    from django.conf import settings

    config = json.loads(json.dumps(settings.LOGGING))
    config["handlers"]["console"]["formatter"] = "json"
    dictConfig(config)
    try:
        logging.getLogger("prachum.test").warning("ห้องประชุมพร้อม", extra={"meeting": 7})
        line = capsys.readouterr().err.strip().splitlines()[-1]
        record = json.loads(line)
        assert record["message"] == "ห้องประชุมพร้อม"
        assert record["level"] == "WARNING"
        assert record["meeting"] == 7
    finally:
        dictConfig(settings.LOGGING)


def test_api_docs_work_offline(client, staff_factory):
    client.force_login(staff_factory.create(role=Staff.Role.SCHEDULER, site_code="41").user)
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    assert client.get("/api/schema/").status_code == 200


def test_metrics_count_rooms_and_notifications_from_their_rows(client):
    from tests.factories.meetings import MediaServerFactory, MeetingFactory

    MediaServerFactory.create()
    MeetingFactory.create(sites=("4122",))
    body = client.get("/metrics").content.decode()
    assert 'prachum_meetings{status="scheduled"} 1.0' in body or 'prachum_meetings{status="ready"} 1.0' in body
    assert "prachum_rooms{state=" in body
    assert "prachum_notifications{" in body


def test_pages_carry_a_content_security_policy(client):
    policy = client.get("/login/")["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy


def test_api_docs_have_no_inline_script(client, staff_factory):
    client.force_login(staff_factory.create(role=Staff.Role.SCHEDULER, site_code="41").user)
    html = client.get("/api/docs/").content.decode()
    import re

    inline = [s for s in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.DOTALL) if "src=" not in s[0]]
    assert not [body for attrs, body in inline if body.strip()], "inline scripts are blocked by the CSP"


def test_personal_data_covers_the_notifications_sent_to_a_person(staff_factory):
    from notifications.models import Notification
    from tests.factories.meetings import MediaServerFactory, MeetingFactory

    admin = staff_factory.create(role=Staff.Role.ADMINISTRATOR, site_code="41")
    clerk = staff_factory.create(role=Staff.Role.CLERK, site_code="4122")
    MediaServerFactory.create()
    MeetingFactory.create(sites=("4122",))
    address = clerk.user.email
    assert Notification.objects.filter(address=address).exists()

    exported = personal_data_export(user=clerk.user, by=admin.user)
    assert {row["address"] for row in exported["notifications"]["notifications"]} == {address}

    erased = personal_data_erase(user=clerk.user, by=admin.user)
    assert erased["notifications"] >= 1
    assert not Notification.objects.filter(address=address).exists()
    assert Notification.objects.filter(address="erased").count() == erased["notifications"]


def test_metrics_count_task_runs_by_outcome(client):
    from meetings.tasks import room_provision, servers_check
    from tests.factories.meetings import MediaServerFactory

    MediaServerFactory.create()
    servers_check.apply()
    servers_check.apply()
    room_provision.apply(args=["not a room id"])  # fails: int() of it
    body = client.get("/metrics").content.decode()
    assert 'prachum_tasks_total{outcome="SUCCESS",task="meetings.servers_check"} 2.0' in body
    assert 'prachum_tasks_total{outcome="FAILURE",task="meetings.room_provision"} 1.0' in body
    assert 'prachum_tasks_total{outcome="FAILURE",task="meetings.servers_check"} 0.0' in body
