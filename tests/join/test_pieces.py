"""The pieces around the pages: the browser libraries are found, the admin opens without showing capabilities,
the API gives clerks nothing, and the display-name marker reads back."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.urls import reverse

from districts.models import Staff
from join.links import marker_code, site_marker
from join.models import TestCall
from tests.factories.meetings import site

from .conftest import HALL, MUEANG, pass_of

pytestmark = [pytest.mark.django_db]

DEBIAN = {
    "join/vendor/janus.min.js": ("libjs-janus-gateway", b"Janus"),
    "join/vendor/adapter.min.js": ("libjs-webrtc-adapter", b"adapter"),
}


@pytest.mark.unit
@pytest.mark.parametrize("path", sorted(DEBIAN))
def test_the_join_pages_browser_libraries_are_installed(path):
    package, marker = DEBIAN[path]
    found = finders.find(path)
    assert found, f"static/{path} links to Debian's {package}: apt-get install {package}"
    with open(found, "rb") as handle:
        assert marker in handle.read(4096)


@pytest.mark.unit
def test_the_site_marker_reads_back_and_nothing_else_does(db):
    assert marker_code(site_marker(site(MUEANG))) == "4101"
    assert marker_code(site_marker(site(HALL))) == "41"
    for display in ("", "ที่ทำการปกครองอำเภอเมือง", "abc · x", "41013 · x", "4101·x", "#12"):
        assert marker_code(display) == ""


@pytest.mark.integration
def test_the_admin_lists_passes_test_calls_and_attendance_without_capabilities(client, fake_server, schedule):
    meeting = schedule(sites=(MUEANG,))
    TestCall.objects.create(site=site(MUEANG), token="testcall-token-" + "x" * 30, pin="123456", secret="s3cr3t-x",
                            result=TestCall.Result.OK)
    admin = get_user_model().objects.create_superuser("root", "root@example.go.th", "pw")
    client.force_login(admin)
    secrets = [pass_of(meeting, MUEANG).token, "testcall-token-", "s3cr3t-x", meeting.room.secret]
    for model in ("joinpass", "calendarfeed", "testcall", "attendance"):
        response = client.get(reverse(f"admin:join_{model}_changelist"))
        assert response.status_code == 200, model
        for secret in secrets:
            assert secret not in response.content.decode()
    join_pass = pass_of(meeting, MUEANG)
    response = client.get(reverse("admin:join_joinpass_change", args=[join_pass.pk]))
    assert response.status_code == 200
    assert join_pass.token not in response.content.decode()


@pytest.mark.integration
def test_the_api_gives_a_clerk_no_meetings_at_all(login, fake_server, schedule):
    schedule(sites=(MUEANG,))
    client = login(Staff.Role.CLERK, MUEANG)
    assert client.get("/api/meetings/").status_code == 403


@pytest.mark.unit
def test_a_missing_library_is_a_system_check_warning_that_names_the_package(monkeypatch, tmp_path):
    from join import checks

    assert checks.join_page_libraries() == []
    monkeypatch.setattr(checks, "VENDOR", tmp_path)
    (tmp_path / "adapter.min.js").write_text("var adapter;")
    [warning] = checks.join_page_libraries()
    assert warning.id == "prachum.join.W001"
    assert warning.hint.startswith("apt-get install libjs-janus-gateway")


@pytest.mark.integration
def test_the_join_page_gives_the_browser_the_stun_and_turn_servers_of_the_environment(
    client, fake_server, schedule, settings
):
    turn = {"urls": "turn:turn.udonthani.go.th:3478", "username": "prachum", "credential": "from-the-env"}
    settings.MEETINGS_JOIN_ICE_SERVERS = [{"urls": "stun:stun.udonthani.go.th:3478"}, turn]
    meeting = schedule(sites=(MUEANG,))
    body = client.get(reverse("j:page", kwargs={"token": pass_of(meeting, MUEANG).token})).content.decode()
    assert "stun:stun.udonthani.go.th:3478" in body
    assert "turn:turn.udonthani.go.th:3478" in body
