"""/api/ of joining: the clerk's page, the control centre of one meeting and its attendance report as data, with the
pages' rules (who may see, what finance does not see) and a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from districts.models import Site, Staff
from foundation.models import AuditEntry
from join import services, tasks
from join.links import join_url, portal_url
from join.models import Attendance, JoinPass, TestCall
from meetings.backends.fake import FakeBackend
from meetings.services.scheduling import meeting_cancel
from tests.factories.api import api_as
from tests.factories.meetings import site

from .conftest import HALL, KUMPHAWAPI, MUEANG, NA_YUNG, here, meeting_attended, pass_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
Role = Staff.Role


def iso(moment: datetime) -> datetime:
    return datetime.fromisoformat(moment) if isinstance(moment, str) else moment


def queries(client: APIClient, path: str) -> int:
    """The queries of a repeated request (the first one also reads who asks, then kept in the cache)."""
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


# --- the clerk's page: /api/sites/<code>/meetings/ ---------------------------------------------------------


def test_the_clerk_gets_the_sites_meetings_with_its_join_link_and_files(fake_server, schedule):
    soon = schedule(sites=(MUEANG, KUMPHAWAPI), starts_in=10, title="ประชุมเร่งด่วน")
    later = schedule(sites=(MUEANG,), starts_in=60 * 24 * 3, title="ประชุมประจำเดือน")
    schedule(sites=(KUMPHAWAPI,), starts_in=60 * 24, title="ไม่ใช่ของเมือง")
    response = api_as(Role.CLERK, MUEANG).get(f"/api/sites/{MUEANG}/meetings/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["site"] == {"code": MUEANG, "name": site(MUEANG).name}
    assert body["can_join"] is True
    assert body["later"] == 0
    assert [m["title"] for m in body["meetings"]] == ["ประชุมเร่งด่วน", "ประชุมประจำเดือน"]
    first, second = body["meetings"]
    assert first["id"] == soon.pk
    assert iso(first["start"]) == soon.start
    assert iso(first["start"]).tzinfo is not None  # aware, ISO 8601
    assert iso(first["end"]) == soon.end
    assert first["status"] == soon.status
    assert first["is_host"] is False
    assert first["host_site_name"] == site(HALL).name
    assert first["window"] == "open"
    assert first["is_open_now"] is True
    assert iso(first["opens_at"]) == soon.start - timedelta(minutes=30)
    assert first["join_url"] == join_url(pass_of(soon, MUEANG).token)
    assert first["join_url"].startswith("http")
    assert first["ics_url"] == portal_url(f"/meetings/join/site/{MUEANG}/meeting/{soon.pk}.ics")
    assert first["sheet_url"] == portal_url(f"/meetings/join/site/{MUEANG}/meeting/{soon.pk}/sheet/")
    assert first["sheet_pdf_url"] == portal_url(f"/meetings/join/site/{MUEANG}/meeting/{soon.pk}/sheet.pdf")
    assert first["qr_url"] == portal_url(f"/j/{pass_of(soon, MUEANG).token}/qr.svg")
    assert second["id"] == later.pk
    assert second["window"] == "later"
    assert second["is_open_now"] is False
    # Only this site's pass: never another site's.
    assert pass_of(soon, KUMPHAWAPI).token not in response.content.decode()


def test_the_list_only_reads_a_missing_pass_gives_no_link(fake_server, schedule):
    meeting = schedule(sites=(MUEANG,))
    JoinPass.objects.filter(meeting=meeting, site=site(MUEANG)).delete()
    body = api_as(Role.CLERK, MUEANG).get(f"/api/sites/{MUEANG}/meetings/").json()
    assert body["meetings"][0]["id"] == meeting.pk
    assert body["meetings"][0]["join_url"] is None
    assert not JoinPass.objects.filter(meeting=meeting, site=site(MUEANG)).exists()  # a GET writes nothing


def test_a_cancelled_meeting_is_listed_without_a_link(fake_server, schedule):
    meeting = schedule(sites=(MUEANG,))
    with schedule.committed():
        meeting_cancel(meeting=meeting, by=schedule.scheduler)
    entry = api_as(Role.CLERK, MUEANG).get(f"/api/sites/{MUEANG}/meetings/").json()["meetings"][0]
    assert (entry["window"], entry["status"], entry["join_url"], entry["ics_url"]) == (
        "cancelled", "cancelled", None, None)


def test_schedulers_see_the_links_finance_sees_the_meetings_only(fake_server, schedule):
    meeting = schedule(sites=(MUEANG,))
    scheduler = api_as(Role.SCHEDULER, HALL).get(f"/api/sites/{MUEANG}/meetings/").json()
    assert scheduler["meetings"][0]["join_url"] == join_url(pass_of(meeting, MUEANG).token)
    for code in (HALL, MUEANG):  # finance of the province, and of the district
        finance = api_as(Role.FINANCE, code).get(f"/api/sites/{MUEANG}/meetings/")
        assert finance.status_code == 200
        body = finance.json()
        assert body["can_join"] is False
        assert [m["id"] for m in body["meetings"]] == [meeting.pk]
        entry = body["meetings"][0]
        assert (entry["join_url"], entry["qr_url"], entry["ics_url"], entry["sheet_url"],
                entry["sheet_pdf_url"]) == (None, None, None, None, None)
        assert pass_of(meeting, MUEANG).token not in finance.content.decode()


def test_the_clerks_page_refuses_as_the_page_does(fake_server, schedule):
    schedule(sites=(MUEANG,))
    assert api_as(Role.CLERK, NA_YUNG).get(f"/api/sites/{MUEANG}/meetings/").status_code == 403
    assert api_as(Role.SCHEDULER, "39").get(f"/api/sites/{MUEANG}/meetings/").status_code == 403
    assert api_as(Role.CLERK, MUEANG).get("/api/sites/4199/meetings/").status_code == 404
    assert api_as(Role.CLERK, MUEANG).get("/api/sites/abc/meetings/").status_code == 404
    assert APIClient().get(f"/api/sites/{MUEANG}/meetings/").status_code in {401, 403}
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert wrong.get(f"/api/sites/{MUEANG}/meetings/").status_code in {401, 403}


def test_the_clerks_page_costs_the_same_queries_for_one_meeting_as_for_many(fake_server, schedule):
    client = api_as(Role.CLERK, MUEANG)
    schedule(sites=(MUEANG,), starts_in=10)
    one = queries(client, f"/api/sites/{MUEANG}/meetings/")
    for day in range(1, 6):
        schedule(sites=(MUEANG, KUMPHAWAPI), starts_in=60 * 24 * day)
    assert len(client.get(f"/api/sites/{MUEANG}/meetings/").json()["meetings"]) == 6
    assert queries(client, f"/api/sites/{MUEANG}/meetings/") == one
    assert queries(client, f"/api/sites/{MUEANG}/meetings/?all=1") <= one


# --- the control centre of one meeting: /api/meetings/<id>/connections/ -------------------------------------


def test_connections_say_who_the_periodic_task_saw_connected(fake_server, schedule):
    Site.objects.filter(pk=site(KUMPHAWAPI).pk).update(contact_phone="042-999111")
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI), starts_in=5)
    FakeBackend.set_participants(meeting.room.number, here(HALL, MUEANG, guests=("ผู้ว่าฯ (มือถือ)",)))
    tested_at = meeting.start - timedelta(hours=2)
    TestCall.objects.create(site=site(MUEANG), token="t" * 43, result=TestCall.Result.OK, finished_at=tested_at)
    client = api_as(Role.SCHEDULER, HALL)
    unasked = client.get(f"/api/meetings/{meeting.pk}/connections/").json()
    shown = (unasked["connected"], unasked["polled"], unasked["polled_at"], unasked["poll_late"])
    assert shown == (0, True, None, True)
    assert not Attendance.objects.filter(meeting=meeting).exists()  # a GET never asks the media server

    tasks.attendance_sweep()  # what beat runs every few seconds
    response = client.get(f"/api/meetings/{meeting.pk}/connections/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["meeting"]["id"] == meeting.pk
    assert (body["connected"], body["invited"], body["tested"]) == (2, 3, 1)
    assert (body["polled"], body["poll_error"], body["poll_late"]) == (True, "", False)
    assert body["polled_at"] is not None
    assert body["guests"] == ["ผู้ว่าฯ (มือถือ)"]
    by_code = {row["site"]["code"]: row for row in body["sites"]}
    assert body["sites"][0]["site"]["code"] == HALL  # the host first, as on the board
    assert by_code[HALL]["is_host"] is True
    assert by_code[MUEANG]["state"] == "connected"
    assert by_code[MUEANG]["tested"] is True
    assert iso(by_code[MUEANG]["tested_at"]) == tested_at
    assert by_code[KUMPHAWAPI] | {"site": None} == {
        "site": None, "is_host": False, "state": "not_yet", "since": None, "first_joined": None,
        "tested": False, "tested_at": None, "contact_phone": "042-999111",
    }
    assert Attendance.objects.filter(meeting=meeting, site__isnull=False).count() == 2

    FakeBackend.set_participants(meeting.room.number, here(HALL))
    tasks.attendance_sweep()
    again = {row["site"]["code"]: row for row in client.get(f"/api/meetings/{meeting.pk}/connections/").json()["sites"]}
    assert again[MUEANG]["state"] == "left"
    assert again[MUEANG]["since"] is not None

    FakeBackend.down = True
    tasks.attendance_sweep()
    down = client.get(f"/api/meetings/{meeting.pk}/connections/").json()
    assert "ติดต่อเซิร์ฟเวอร์สื่อไม่ได้" in down["poll_error"]
    assert down["connected"] == 1  # the last known state stays


def test_connections_of_a_meeting_outside_its_window_do_not_poll(fake_server, schedule):
    meeting = schedule(sites=(MUEANG,), starts_in=60 * 24 * 2)
    FakeBackend.set_participants(meeting.room.number, here(HALL, MUEANG))
    body = api_as(Role.ADMINISTRATOR, HALL).get(f"/api/meetings/{meeting.pk}/connections/").json()
    assert body["polled"] is False
    assert body["connected"] == 0
    assert not Attendance.objects.filter(meeting=meeting).exists()


def test_connections_and_attendance_are_for_the_provinces_schedulers_and_administrators(fake_server, schedule):
    meeting = schedule(sites=(MUEANG,), starts_in=60 * 24)
    for kind in ("connections", "attendance"):
        path = f"/api/meetings/{meeting.pk}/{kind}/"
        assert api_as(Role.SCHEDULER, HALL).get(path).status_code == 200
        assert api_as(Role.ADMINISTRATOR, HALL).get(path).status_code == 200
        assert api_as(Role.SCHEDULER, "39").get(path).status_code == 404
        assert api_as(Role.CLERK, MUEANG).get(path).status_code == 403  # even of a site in the meeting
        assert api_as(Role.FINANCE, HALL).get(path).status_code == 403
        assert APIClient().get(path).status_code in {401, 403}
        assert api_as(Role.SCHEDULER, HALL).get(f"/api/meetings/999999/{kind}/").status_code == 404
    with schedule.committed():
        meeting_cancel(meeting=meeting, by=schedule.scheduler)
    assert api_as(Role.SCHEDULER, HALL).get(f"/api/meetings/{meeting.pk}/connections/").status_code == 404


def _district_codes(count: int) -> list[str]:
    sites = Site.objects.filter(province__code="41", district__isnull=False).select_related("district")
    return sorted(s.code for s in sites)[:count]


def test_connections_and_attendance_cost_the_same_queries_for_one_site_as_for_many(fake_server, schedule):
    client = api_as(Role.SCHEDULER, HALL)
    small = schedule(sites=(MUEANG,), starts_in=60 * 24)
    big = schedule(sites=_district_codes(12), starts_in=60 * 24 + 120)
    for kind in ("connections", "attendance"):
        one = queries(client, f"/api/meetings/{small.pk}/{kind}/")
        assert queries(client, f"/api/meetings/{big.pk}/{kind}/") == one, kind
    assert len(client.get(f"/api/meetings/{big.pk}/connections/").json()["sites"]) == 13


# --- the attendance report: /api/meetings/<id>/attendance/ -------------------------------------------------


def test_the_attendance_report_and_its_audit_entry(fake_server, schedule):
    meeting, agency = meeting_attended(schedule)
    start = meeting.start
    services.attendance_record(meeting_id=meeting.pk, present=here(HALL), now=start + timedelta(minutes=40))

    response = api_as(Role.SCHEDULER, HALL).get(f"/api/meetings/{meeting.pk}/attendance/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["meeting"]["title"] == meeting.title
    assert (body["present"], body["late"], body["absent"], body["late_after_minutes"]) == (2, 1, 1, 10)
    by_code = {row["site"]["code"]: row for row in body["sites"]}
    assert by_code[HALL]["status"] == "present"
    assert by_code[HALL]["is_host"] is True
    assert iso(by_code[HALL]["first_joined"]) == start - timedelta(minutes=3)
    assert by_code[HALL]["still_connected"] is True
    assert by_code[MUEANG] | {"site": None} == {
        "site": None, "is_host": False, "status": "late", "first_joined": by_code[MUEANG]["first_joined"],
        "last_left": by_code[MUEANG]["last_left"], "still_connected": False, "connected_minutes": 0,
        "connections": 1, "minutes_late": 25,
    }
    assert iso(by_code[MUEANG]["first_joined"]) == start + timedelta(minutes=25)
    # Seen at +25 only: it left when it was last seen (the selector's rule, as in the CSV).
    assert iso(by_code[MUEANG]["last_left"]) == start + timedelta(minutes=25)
    assert by_code[KUMPHAWAPI]["status"] == "absent"
    assert by_code[KUMPHAWAPI]["first_joined"] is None
    assert body["guests"] == ["แขก · ผู้สังเกตการณ์"]
    assert body["agencies"] == [{"id": agency.pk, "name": "สำนักงานสาธารณสุขจังหวัดอุดรธานี"}]

    exported = AuditEntry.objects.get(action="export", target_id=str(meeting.pk))  # personal data: audited
    assert exported.detail == {"export": "attendance.csv", "rows": 3}
