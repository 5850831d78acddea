"""/api/ of the clerk's page's buttons: a new join link, the calendar feed and a new one, test calls. The same
services as the page and the same rules: the roles that may join, of a site they may see; never finance."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from rest_framework.test import APIClient

from districts.models import Staff
from join import services
from join.links import feed_url, join_path, join_url, portal_url
from join.models import CalendarFeed, JoinPass, TestCall
from meetings.services.scheduling import meeting_cancel
from tests.factories.api import api_as
from tests.factories.meetings import MeetingFactory, site

from .conftest import HALL, KUMPHAWAPI, MUEANG, NA_YUNG, pass_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
Role = Staff.Role


def renew_path(code: str, meeting_id: int) -> str:
    return f"/api/sites/{code}/meetings/{meeting_id}/join-pass/renew/"


def iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- a new join link ---------------------------------------------------------------------------------------


def test_a_clerk_renews_a_leaked_link_and_the_old_one_is_refused(fake_server, schedule, client):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI), starts_in=10)
    old, neighbour = pass_of(meeting, MUEANG), pass_of(meeting, KUMPHAWAPI)
    assert client.get(join_path(old.token)).status_code == 200  # the meeting's window is open

    clerk = api_as(Role.CLERK, MUEANG)
    response = clerk.post(renew_path(MUEANG, meeting.pk))

    assert response.status_code == 200, response.content
    new = pass_of(meeting, MUEANG)
    assert new.token != old.token
    body = response.json()
    assert (body["id"], body["window"], body["is_open_now"]) == (meeting.pk, "open", True)
    assert body["join_url"] == join_url(new.token)
    assert body["ics_url"] == portal_url(f"/meetings/join/site/{MUEANG}/meeting/{meeting.pk}.ics")
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert old.revoked_reason.startswith("ออกลิงก์ใหม่โดย ")
    # The old link is refused from now on, the new one opens the meeting; another site's link is untouched.
    refused = client.get(join_path(old.token))
    assert refused.status_code == 410
    assert "ลิงก์นี้ถูกยกเลิกแล้ว" in refused.content.decode()
    assert client.get(join_path(new.token)).status_code == 200
    assert pass_of(meeting, KUMPHAWAPI).token == neighbour.token
    assert JoinPass.objects.filter(meeting=meeting, site=site(MUEANG), revoked_at__isnull=True).count() == 1
    # The site's list (API and page) shows the new link only.
    listed = clerk.get(f"/api/sites/{MUEANG}/meetings/").json()["meetings"][0]
    assert listed["join_url"] == join_url(new.token)


def test_the_halls_scheduler_renews_a_district_sites_link(fake_server, schedule):
    meeting = schedule(sites=(MUEANG,), starts_in=60 * 24)
    old = pass_of(meeting, MUEANG)
    for role in (Role.SCHEDULER, Role.ADMINISTRATOR):
        response = api_as(role, HALL).post(renew_path(MUEANG, meeting.pk))
        assert response.status_code == 200, (role, response.content)
        assert response.json()["join_url"] == join_url(pass_of(meeting, MUEANG).token)
    assert JoinPass.objects.filter(meeting=meeting, site=site(MUEANG)).count() == 3
    assert pass_of(meeting, MUEANG).token != old.token


def test_renewing_is_refused_to_other_sites_roles_and_meetings(fake_server, schedule):
    meeting = schedule(sites=(MUEANG,))
    other = schedule(sites=(KUMPHAWAPI,), starts_in=60 * 3)
    before = set(JoinPass.objects.values_list("token", flat=True))
    refusals = [
        (api_as(Role.CLERK, NA_YUNG), renew_path(MUEANG, meeting.pk), 403),  # another site's clerk
        (api_as(Role.FINANCE, HALL), renew_path(MUEANG, meeting.pk), 403),  # finance never sees links
        (api_as(Role.FINANCE, MUEANG), renew_path(MUEANG, meeting.pk), 403),
        (api_as(Role.SCHEDULER, "39"), renew_path(MUEANG, meeting.pk), 403),  # another province's site
        (api_as(Role.CLERK, MUEANG), renew_path(MUEANG, other.pk), 404),  # a meeting the site is not in
        (api_as(Role.CLERK, MUEANG), renew_path(MUEANG, 999999), 404),
        (api_as(Role.SCHEDULER, HALL), renew_path("4199", meeting.pk), 404),  # no such site
        (APIClient(), renew_path(MUEANG, meeting.pk), 403),
    ]
    for client, path, expected in refusals:
        response = client.post(path)
        assert response.status_code == expected, (path, response.content)
        assert set(response.json()) == {"detail"}
    assert set(JoinPass.objects.values_list("token", flat=True)) == before
    assert not JoinPass.objects.filter(revoked_at__isnull=False).exists()


def test_no_new_link_for_a_cancelled_meeting_or_one_that_is_over(fake_server, schedule):
    cancelled = schedule(sites=(MUEANG,), starts_in=60 * 24)
    with schedule.committed():
        meeting_cancel(meeting=cancelled, by=schedule.scheduler)
    over = schedule(sites=(MUEANG,), starts_in=60 * 3)
    clerk = api_as(Role.CLERK, MUEANG)

    response = clerk.post(renew_path(MUEANG, cancelled.pk))
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["การประชุมนี้ยกเลิกแล้ว: ไม่มีลิงก์เข้าร่วมให้ออกใหม่"]}
    valid_over = pass_of(over, MUEANG).token
    with time_machine.travel(over.end + timedelta(minutes=1), tick=False):
        response = clerk.post(renew_path(MUEANG, over.pk))
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["การประชุมนี้จบแล้ว: ไม่ต้องออกลิงก์ใหม่"]}
    assert pass_of(over, MUEANG).token == valid_over
    assert not JoinPass.objects.filter(revoked_at__isnull=False).exists()


def test_a_site_without_a_link_is_given_one(fake_server, schedule):
    meeting = schedule(sites=(MUEANG,))
    JoinPass.objects.filter(meeting=meeting, site=site(MUEANG)).delete()  # scheduled before passes existed
    response = api_as(Role.CLERK, MUEANG).post(renew_path(MUEANG, meeting.pk))
    assert response.status_code == 200
    assert response.json()["join_url"] == join_url(pass_of(meeting, MUEANG).token)


# --- the calendar feed -------------------------------------------------------------------------------------


def test_the_feed_link_and_a_new_one_that_ends_the_old(fake_server, schedule, client):
    schedule(sites=(MUEANG,), title="ประชุมประจำเดือน")
    clerk = api_as(Role.CLERK, MUEANG)
    assert clerk.get(f"/api/sites/{MUEANG}/calendar-feed/").status_code == 404  # none yet, and a GET makes none
    assert not CalendarFeed.objects.filter(site=site(MUEANG)).exists()
    response = clerk.post(f"/api/sites/{MUEANG}/calendar-feed/")
    assert response.status_code == 200, response.content
    feed = CalendarFeed.objects.get(site=site(MUEANG), revoked_at__isnull=True)
    assert response.json()["feed_url"] == feed_url(feed.token)
    assert clerk.post(f"/api/sites/{MUEANG}/calendar-feed/").json() == response.json()  # made once
    assert clerk.get(f"/api/sites/{MUEANG}/calendar-feed/").json() == response.json()
    old_path = feed_url(feed.token).removeprefix(portal_url(""))
    assert client.get(old_path).status_code == 200

    renewed = clerk.post(f"/api/sites/{MUEANG}/calendar-feed/renew/")

    assert renewed.status_code == 200, renewed.content
    new = CalendarFeed.objects.get(site=site(MUEANG), revoked_at__isnull=True)
    assert new.token != feed.token
    assert renewed.json()["feed_url"] == feed_url(new.token)
    assert iso(renewed.json()["created_at"]) == new.created_at
    assert client.get(old_path).status_code == 404  # a calendar still on the old link gets nothing
    calendar = client.get(feed_url(new.token).removeprefix(portal_url("")))
    assert calendar.status_code == 200
    assert "ประชุมประจำเดือน" in calendar.content.decode()
    assert clerk.get(f"/api/sites/{MUEANG}/calendar-feed/").json()["feed_url"] == feed_url(new.token)
    # The scheduler at the hall may renew a district's feed too.
    assert api_as(Role.SCHEDULER, HALL).post(f"/api/sites/{MUEANG}/calendar-feed/renew/").status_code == 200
    assert CalendarFeed.objects.filter(site=site(MUEANG), revoked_at__isnull=True).count() == 1


def test_the_feed_is_refused_to_other_sites_and_to_finance(fake_server):
    services.calendar_feed_ensure(site=site(MUEANG))
    before = list(CalendarFeed.objects.values_list("token", "revoked_at"))
    for client in (api_as(Role.CLERK, NA_YUNG), api_as(Role.FINANCE, HALL), api_as(Role.SCHEDULER, "39")):
        for method, path in (("get", ""), ("post", ""), ("post", "renew/")):
            response = getattr(client, method)(f"/api/sites/{MUEANG}/calendar-feed/{path}")
            assert response.status_code == 403, (method, path, response.content)
    assert list(CalendarFeed.objects.values_list("token", "revoked_at")) == before


# --- test calls --------------------------------------------------------------------------------------------


def test_a_clerk_starts_a_test_call_and_finds_its_result_in_the_list(fake_server, client):
    clerk = api_as(Role.CLERK, MUEANG)
    response = clerk.post(f"/api/sites/{MUEANG}/test-calls/")

    assert response.status_code == 201, response.content
    test_call = TestCall.objects.get(site=site(MUEANG))
    body = response.json()
    assert body["id"] == test_call.pk
    assert body["site"] == {"code": MUEANG, "name": site(MUEANG).name}
    assert (body["result"], body["finished_at"], body["started_by"]) == ("pending", None, test_call.started_by.username)
    assert iso(body["open_until"]) == test_call.started_at + services.TEST_CALL_LIFETIME
    assert body["page_url"] == portal_url(f"/meetings/join/test/{test_call.token}/")
    assert test_call.server == fake_server
    assert test_call.secret not in response.content.decode()
    page = client.get(body["page_url"].removeprefix(portal_url("")))  # the room's browser opens it: no login
    assert page.status_code == 200

    client.post(f"/meetings/join/test/{test_call.token}/result/", {"answer": "ok"})
    listed = clerk.get(f"/api/sites/{MUEANG}/test-calls/")
    assert listed.status_code == 200
    (row,) = listed.json()["results"]
    assert (row["id"], row["result"], row["saw_video"], row["heard_audio"]) == (test_call.pk, "ok", True, True)
    assert row["finished_at"] is not None
    assert "page_url" not in row  # the list says how tests went; it does not hand out their rooms


def test_without_a_media_server_the_test_call_is_a_clear_503_and_recorded(db):
    clerk = api_as(Role.CLERK, MUEANG)
    response = clerk.post(f"/api/sites/{MUEANG}/test-calls/")
    assert response.status_code == 503
    assert response.json() == {"detail": "ยังไม่มีเซิร์ฟเวอร์สื่อที่ใช้งานได้ในขณะนี้: แจ้งผู้ดูแลระบบของจังหวัด แล้วลองใหม่ภายหลัง"}
    assert response["Retry-After"] == "60"
    test_call = TestCall.objects.get(site=site(MUEANG))  # as on the page: the failed attempt stays
    assert test_call.result == TestCall.Result.PROBLEM
    assert clerk.get(f"/api/sites/{MUEANG}/test-calls/").json()["results"][0]["result"] == "problem"


def test_test_calls_follow_the_site_rule(fake_server):
    assert api_as(Role.SCHEDULER, HALL).post(f"/api/sites/{MUEANG}/test-calls/").status_code == 201
    assert api_as(Role.ADMINISTRATOR, HALL).get(f"/api/sites/{MUEANG}/test-calls/").json()["count"] == 1
    for client in (api_as(Role.CLERK, NA_YUNG), api_as(Role.FINANCE, HALL), api_as(Role.SCHEDULER, "39")):
        assert client.post(f"/api/sites/{MUEANG}/test-calls/").status_code == 403
        assert client.get(f"/api/sites/{MUEANG}/test-calls/").status_code == 403
    assert APIClient().post(f"/api/sites/{MUEANG}/test-calls/").status_code == 403
    assert TestCall.objects.count() == 1


# --- two renewals at once (a double click) -----------------------------------------------------------------


def _at_once(work, times: int = 2) -> list:
    barrier = threading.Barrier(times)
    results: list = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # the test reports what a thread raised
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_renewals_at_once_end_with_one_new_link_for_both(transactional_db):
    meeting = MeetingFactory.create(sites=(MUEANG,))
    services.join_passes_ensure(meeting=meeting)
    services.calendar_feed_ensure(site=site(MUEANG))
    for _round in range(5):
        passes = _at_once(lambda: services.join_pass_renew(meeting=meeting, site=site(MUEANG)).token)
        assert not [p for p in passes if isinstance(p, Exception)], passes
        valid = JoinPass.objects.get(meeting=meeting, site=site(MUEANG), revoked_at__isnull=True)
        assert valid.token in passes

        feeds = _at_once(lambda: services.calendar_feed_renew(site=site(MUEANG)).token)
        assert not [f for f in feeds if isinstance(f, Exception)], feeds
        assert CalendarFeed.objects.get(site=site(MUEANG), revoked_at__isnull=True).token in feeds
