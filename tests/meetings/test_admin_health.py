"""Admin pages list meetings, rooms and servers without secrets; /healthz asks each media server."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meetings.models import MediaServer, Room
from tests.factories.districts import StaffFactory
from tests.factories.meetings import MeetingFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL


def test_admin_pages_render_without_room_secrets(client, fake_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = MeetingFactory.create(title="ประชุมในหน้าผู้ดูแล")
    room = Room.objects.get(meeting=meeting)
    client.force_login(StaffFactory.create(role="admin", site_code="41").user)
    pages = [
        reverse("admin:meetings_meeting_changelist"),
        reverse("admin:meetings_meeting_change", args=[meeting.pk]),
        reverse("admin:meetings_room_changelist"),
        reverse("admin:meetings_room_change", args=[room.pk]),
        reverse("admin:meetings_mediaserver_changelist"),
        reverse("admin:meetings_mediaserver_change", args=[fake_server.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert room.secret not in response.content.decode()
    assert "ประชุมในหน้าผู้ดูแล" in client.get(pages[0]).content.decode()


def test_healthz_reports_each_media_server(client, janus_server):
    body = client.get("/healthz").json()
    assert body["checks"]["media:janus-test"]["ok"] is True
    MediaServer.objects.create(kind="janus", name="janus-gone", url="http://127.0.0.1:9/janus",
                               secret_env="JANUS_GONE")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["media:janus-gone"]["ok"] is False
    # Anyone may read /healthz: no internal address and no name of a secret's variable in it.
    for internal in ("127.0.0.1", ":9", "JANUS_GONE", janus_server.url, "ADMIN"):
        assert internal not in response.content.decode(), internal


def test_operator_commands_register_a_server_and_sweep(janus_env, db, django_capture_on_commit_callbacks):
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("media_server_ensure", "local", "janus", janus_env.base_url, "--admin-url", janus_env.admin_url,
                 "--secret-env", "JANUS_TEST", stdout=out)
    assert out.getvalue().startswith("created: local")
    call_command("media_server_ensure", "local", "janus", janus_env.base_url, "--admin-url", janus_env.admin_url,
                 "--secret-env", "JANUS_TEST", "--capacity", "40", stdout=out)
    assert MediaServer.objects.get(name="local").capacity_sites == 40
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rooms_sweep", stdout=out)
    assert json.loads(out.getvalue())["servers"] == {"local": True}
