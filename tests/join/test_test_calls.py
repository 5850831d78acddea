"""Test calls: a site opens a room of its own on the media server any time, sees and hears itself, and the result
is recorded with the time; the province sees which sites have tested before a meeting."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from districts.models import Staff
from join import services
from join.links import join_path, pass_test_path
from join.models import TestCall
from tests.factories.meetings import site

from .conftest import MUEANG, pass_of
from .test_passes import call_config

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def start(client, code: str = MUEANG):
    return client.post(reverse("join:site-test-call", kwargs={"code": code}))


def result_url(test_call: TestCall) -> str:
    return reverse("join:test-call-result", kwargs={"token": test_call.token})


def test_a_clerk_tests_the_site_on_janus_and_the_answer_is_recorded_with_the_time(
    login, janus, janus_server, django_capture_on_commit_callbacks
):
    client = login(Staff.Role.CLERK, MUEANG)
    response = start(client)
    test_call = TestCall.objects.get(site=site(MUEANG))
    assert response.status_code == 302
    assert response["Location"] == reverse("join:test-call", kwargs={"token": test_call.token})
    assert test_call.server == janus_server
    on_janus = janus.rooms()[test_call.room_number]
    assert on_janus["pin_required"] is True
    assert on_janus["description"].startswith("ทดสอบระบบ · ")

    page = client.get(response["Location"])
    assert page.status_code == 200
    config = call_config(page)
    assert config["mode"] == "test"
    assert config["room"] == test_call.room_number
    assert config["pin"] == test_call.pin
    assert config["server"] == janus_server.url
    assert config["resultUrl"] == result_url(test_call)
    assert test_call.secret not in page.content.decode()
    assert page["Permissions-Policy"].startswith("camera=(self), microphone=(self)")

    # The page reports that its own video came back from the server: recorded, the room stays for the clerk.
    answer = client.post(result_url(test_call), {"media_flowing": "1"}, headers={"Accept": "application/json"})
    assert answer.json()["result"] == TestCall.Result.MEDIA_OK
    assert test_call.room_number in janus.rooms()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(result_url(test_call), {"answer": "ok"})
    assert done.status_code == 200
    assert "เห็นภาพและได้ยินเสียง" in done.content.decode()
    test_call.refresh_from_db()
    assert test_call.result == TestCall.Result.OK
    assert (test_call.saw_video, test_call.heard_audio, test_call.media_flowing) == (True, True, True)
    assert test_call.finished_at is not None
    assert test_call.room_closed_at is not None
    assert test_call.room_number not in janus.rooms()  # the clerk answered: the room is gone
    assert client.get(reverse("join:test-call", kwargs={"token": test_call.token})).status_code == 410

    site_page = client.get(reverse("site:page", kwargs={"code": MUEANG})).content.decode()
    assert "ทดสอบล่าสุด" in site_page
    assert "เห็นภาพและได้ยินเสียง" in site_page


def test_a_no_is_a_problem_whatever_the_browser_said(login, fake_server):
    client = login(Staff.Role.CLERK, MUEANG)
    start(client)
    test_call = TestCall.objects.get(site=site(MUEANG))
    client.post(result_url(test_call), {"media_flowing": "1"})
    client.post(result_url(test_call), {"answer": "no_audio"})
    test_call.refresh_from_db()
    assert test_call.result == TestCall.Result.PROBLEM
    assert test_call.heard_audio is False
    assert test_call.saw_video is None


def test_the_room_notebook_tests_through_the_pass_before_the_window_opens(client, fake_server, schedule):
    meeting = schedule(sites=(MUEANG,), starts_in=60 * 24)
    join_pass = pass_of(meeting, MUEANG)
    refused = client.get(join_path(join_pass.token))
    assert refused.status_code == 403
    assert pass_test_path(join_pass.token) in refused.content.decode()

    response = client.post(pass_test_path(join_pass.token))
    test_call = TestCall.objects.get(join_pass=join_pass)
    assert response.status_code == 302
    assert test_call.site == join_pass.site
    assert test_call.started_by is None
    assert client.get(response["Location"]).status_code == 200

    with time_machine.travel(meeting.end + timedelta(minutes=1), tick=False):
        assert client.post(pass_test_path(join_pass.token)).status_code == 410


def test_a_site_has_at_most_one_live_test_room(client, fake_server, schedule):
    """Five anonymous POSTs with one join link used to make five rooms living two hours each."""
    from meetings.backends.fake import FakeBackend

    meeting = schedule(sites=(MUEANG,), starts_in=60 * 24)
    join_pass = pass_of(meeting, MUEANG)
    rooms_before = len(FakeBackend.rooms())
    answers = [client.post(pass_test_path(join_pass.token)) for _ in range(5)]
    assert {answer["Location"] for answer in answers} == {answers[0]["Location"]}  # the same test page
    assert TestCall.objects.filter(site=site(MUEANG)).count() == 1
    assert len(FakeBackend.rooms()) == rooms_before + 1
    test_call = TestCall.objects.get(site=site(MUEANG))
    services.site_test_call_record(test_call=test_call, saw_video=True, heard_audio=True)  # answered: closed
    client.post(pass_test_path(join_pass.token))
    assert TestCall.objects.filter(site=site(MUEANG)).count() == 2  # a new test after the last one ended


def test_without_a_media_server_the_clerk_gets_a_clear_page_and_the_failure_is_recorded(login, db):
    response = start(login(Staff.Role.CLERK, MUEANG))
    assert response.status_code == 503
    assert "ยังไม่มีเซิร์ฟเวอร์สื่อที่ใช้งานได้" in response.content.decode()
    test_call = TestCall.objects.get(site=site(MUEANG))
    assert test_call.result == TestCall.Result.PROBLEM
    assert test_call.finished_at is not None


def test_janus_down_is_a_clear_page_too(login, janus, janus_server):
    janus.stop()
    try:
        response = start(login(Staff.Role.CLERK, MUEANG))
    finally:
        janus.start()
    assert response.status_code == 503
    assert "ติดต่อเซิร์ฟเวอร์ประชุมไม่ได้" in response.content.decode()
    assert "cannot reach Janus" in TestCall.objects.get(site=site(MUEANG)).note


def test_rooms_of_abandoned_test_calls_are_closed_by_the_sweep(login, janus, janus_server):
    start(login(Staff.Role.CLERK, MUEANG))
    test_call = TestCall.objects.get(site=site(MUEANG))
    assert test_call.room_number in janus.rooms()
    assert services.site_test_rooms_sweep() == []  # still within its two hours
    later = test_call.started_at + services.TEST_CALL_LIFETIME + timedelta(minutes=1)
    assert services.site_test_rooms_sweep(now=later) == [test_call.pk]
    assert test_call.room_number not in janus.rooms()
    assert services.site_test_rooms_sweep(now=later) == []
