"""Login, logout, the home page sending each role to its own place, and the demo accounts."""

import pytest
from django.core.exceptions import ValidationError

from districts.models import Staff
from districts.services import demo_accounts_create

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL


def test_login_page_is_thai_first(client):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="th"' in html
    assert "เข้าสู่ระบบ" in html
    assert "csrfmiddlewaretoken" in html


def test_anonymous_home_goes_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("role", "site_code", "target"),
    [
        (Staff.Role.SCHEDULER, "41", "/meetings/"),
        (Staff.Role.CLERK, "4122", "/sites/4122/"),
        (Staff.Role.FINANCE, "41", "/billing/"),
        (Staff.Role.ADMINISTRATOR, "41", "/admin/"),
    ],
)
def test_home_sends_each_role_to_its_place(login, role, site_code, target):
    client = login(role, site_code)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == target
    assert client.get(target).status_code == 200


def test_a_user_without_role_is_told_so(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 403
    assert "ยังไม่มีบทบาท" in response.content.decode()


def test_wrong_password_shows_a_clear_message(client):
    response = client.post("/login/", {"username": "someone", "password": "wrong"})
    assert response.status_code == 200
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in response.content.decode()


def test_language_switches_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert 'lang="en"' in client.get("/login/").content.decode()


def test_demo_accounts_log_in_in_embedded_mode(client, settings):
    settings.PRACHUM_DEMO_ACCOUNTS = True
    accounts = demo_accounts_create()
    names = {"admin", "scheduler", "clerk4122", "finance", "admin39", "scheduler39"}
    assert {s.user.username for s in accounts} == names
    assert demo_accounts_create()  # twice changes nothing
    assert Staff.objects.filter(user__username__in=names).count() == 6
    # Two provinces, an administrator each, neither an operator: the boundary a newcomer can try.
    admins = Staff.objects.filter(user__username__in=["admin", "admin39"]).select_related("user", "site__province")
    assert {(s.site.province.code, s.user.is_superuser) for s in admins} == {("41", False), ("39", False)}
    for username in names:
        response = client.post("/login/", {"username": username, "password": "demo"})
        assert response.status_code == 302, username
        client.post("/logout/")
    clerk = Staff.objects.get(user__username="clerk4122")
    assert clerk.site.district.code == "4122"


def test_demo_accounts_are_refused_outside_embedded_mode(settings, django_user_model):
    settings.PRACHUM_DEMO_ACCOUNTS = False
    with pytest.raises(ValidationError):
        demo_accounts_create()
    assert not django_user_model.objects.filter(username="admin").exists()


def test_logout_needs_post_and_ends_the_session(login):
    client = login(Staff.Role.CLERK, "4101")
    assert client.post("/logout/").status_code == 302
    assert client.get("/sites/4101/").status_code == 302


def test_fake_media_banner_says_rooms_are_simulated(client, settings):
    settings.PRACHUM_FAKE_MEDIA = True
    assert "ห้องประชุมเป็นแบบจำลอง" in client.get("/login/").content.decode()
    settings.PRACHUM_FAKE_MEDIA = False
    assert "ห้องประชุมเป็นแบบจำลอง" not in client.get("/login/").content.decode()
