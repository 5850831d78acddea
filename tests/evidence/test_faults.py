"""Fault reports (issue 17, part 4): a site reports from its join page with its pass; the row has the database
server's time; the control centre's fragment shows it at once and the province's schedulers mark it resolved; bad
input is refused in Thai with nothing written; a pass cannot flood; nobody else sees or resolves a meeting's reports;
the control centre's board costs the same number of queries with reports as without."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from districts.models import Staff
from evidence.models import FaultReport
from foundation.models import AuditEntry
from join.models import JoinPass
from meetings.models import Meeting
from tests.proceedings.conftest import pass_of

from .conftest import HALL, KUMPHAWAPI, MUEANG

pytestmark = [pytest.mark.django_db, pytest.mark.integration]
JSON = {"HTTP_ACCEPT": "application/json"}


def report_url(token: str) -> str:
    return reverse("evidence:pass-fault", kwargs={"token": token})


def board_url(meeting) -> str:
    return reverse("evidence:board-faults", kwargs={"pk": meeting.pk})


@pytest.fixture
def meeting(series):
    return series.meetings[0]  # under way: its passes open


def test_a_site_reports_from_its_join_page_and_the_control_centre_sees_it_at_once(meeting, client, login):
    token = pass_of(meeting, MUEANG).token
    page = client.get(reverse("j:page", kwargs={"token": token})).content.decode()
    assert "แจ้งปัญหา" in page
    assert report_url(token) in page

    before = connection.cursor()
    before.execute("SELECT now()")
    response = client.post(report_url(token), {"kind": "no_audio", "note": ""}, **JSON)
    assert response.status_code == 201, response.content.decode()
    assert response.json()["ok"] is True
    assert "ไม่มีเสียง" in response.json()["message"]
    report = FaultReport.objects.get()
    assert report.join_pass.site.code == MUEANG
    assert report.meeting_id == meeting.pk
    # The database server's time (db_default=Now()), not the browser's
    assert abs(report.reported_at - FaultReport.objects.values_list(Now(), flat=True).first()) < timedelta(seconds=5)
    assert AuditEntry.objects.filter(target_type="evidence.FaultReport", target_id=str(report.pk),
                                     detail__fault_report="no_audio").exists()

    scheduler = login(Staff.Role.SCHEDULER, HALL)
    board = scheduler.get(reverse("join:control-board")).content.decode()
    assert board_url(meeting) in board  # the board's one include: a fragment of the meeting's reports
    fragment = scheduler.get(board_url(meeting)).content.decode()
    assert f'data-fault="{report.pk}"' in fragment
    assert "ไม่มีเสียง" in fragment
    assert pass_of(meeting, MUEANG).site.name in fragment


def test_the_chair_marks_a_report_resolved_and_it_leaves_the_board(meeting, client, login):
    token = pass_of(meeting, KUMPHAWAPI).token
    client.post(report_url(token), {"kind": "other", "note": "ภาพกระตุกเป็นช่วง ๆ"}, **JSON)
    report = FaultReport.objects.get()
    scheduler = login(Staff.Role.SCHEDULER, HALL)
    resolve = reverse("evidence:fault-resolve", kwargs={"pk": meeting.pk, "report_id": report.pk})
    response = scheduler.post(resolve, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'data-fault="{report.pk}"' not in response.content.decode()
    report.refresh_from_db()
    assert report.resolved_at is not None
    assert report.resolved_by is not None
    assert AuditEntry.objects.filter(target_type="evidence.FaultReport", target_id=str(report.pk),
                                     detail__resolved=True).exists()
    # Resolved once: again is refused in Thai (no 500)
    assert "แก้ไขแล้ว" in scheduler.post(resolve, HTTP_HX_REQUEST="true").content.decode()
    # The same kind may be reported again once the first is resolved
    assert client.post(report_url(token), {"kind": "other", "note": "เสียงหายอีก"}, **JSON).status_code == 201


@pytest.mark.parametrize(("data", "says"), [
    ({"kind": "no_smell"}, "เลือกปัญหาจากรายการ"),
    ({"kind": ""}, "เลือกปัญหาจากรายการ"),
    ({"kind": "other", "note": ""}, "บอกปัญหาสั้น ๆ"),
    ({"kind": "no_video", "note": "ก" * 301}, "ยาวเกิน 300 ตัวอักษร"),
])
def test_bad_input_is_refused_in_thai_and_nothing_is_written(meeting, client, data, says):
    response = client.post(report_url(pass_of(meeting, MUEANG).token), data, **JSON)
    assert response.status_code == 400
    assert says in response.json()["message"]
    assert not FaultReport.objects.exists()
    # Without the page's script: the same refusal as a page
    page = client.post(report_url(pass_of(meeting, MUEANG).token), data)
    assert page.status_code == 400
    assert says in page.content.decode()
    assert not FaultReport.objects.exists()


def test_a_revoked_pass_an_ended_meeting_and_an_unknown_pass_cannot_report(meeting, client):
    revoked = pass_of(meeting, MUEANG)
    JoinPass.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now(), revoked_reason="test")
    response = client.post(report_url(revoked.token), {"kind": "no_audio"}, **JSON)
    assert response.status_code == 400
    assert "ลิงก์นี้ถูกยกเลิกแล้ว" in response.json()["message"]

    over = pass_of(meeting, KUMPHAWAPI)
    Meeting.objects.filter(pk=meeting.pk).update(start=timezone.now() - timedelta(hours=3),
                                                 end=timezone.now() - timedelta(hours=2))
    response = client.post(report_url(over.token), {"kind": "no_audio"}, **JSON)
    assert response.status_code == 400
    assert "สิ้นสุดแล้ว" in response.json()["message"]

    assert client.post(report_url("x" * 40), {"kind": "no_audio"}, **JSON).status_code == 404
    assert not FaultReport.objects.exists()


def test_a_pass_cannot_flood_one_open_report_per_kind(meeting, client):
    token = pass_of(meeting, MUEANG).token
    assert client.post(report_url(token), {"kind": "no_share"}, **JSON).status_code == 201
    again = client.post(report_url(token), {"kind": "no_share"}, **JSON)
    assert again.status_code == 400
    assert "ไม่ต้องแจ้งซ้ำ" in again.json()["message"]
    assert client.post(report_url(token), {"kind": "no_audio"}, **JSON).status_code == 201
    assert FaultReport.objects.count() == 2


def test_nobody_else_sees_or_resolves_a_meetings_reports(meeting, client, login):
    client.post(report_url(pass_of(meeting, MUEANG).token), {"kind": "no_audio"}, **JSON)
    report = FaultReport.objects.get()
    resolve = reverse("evidence:fault-resolve", kwargs={"pk": meeting.pk, "report_id": report.pk})
    # Another site's pass (no login): its pass is no key to the board nor to resolving
    for response in (client.get(board_url(meeting)), client.post(resolve)):
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    # Another site's clerk: refused; another province's scheduler: not found
    for role, code, status in ((Staff.Role.CLERK, KUMPHAWAPI, 403), (Staff.Role.CLERK, MUEANG, 403),
                               (Staff.Role.FINANCE, HALL, 403), (Staff.Role.SCHEDULER, "39", 404)):
        if code == "39":
            call_command("create_province_sites", "39", verbosity=0)
        other = login(role, code)
        assert other.get(board_url(meeting)).status_code == status
        assert other.post(resolve).status_code == status
    report.refresh_from_db()
    assert report.resolved_at is None


def test_the_control_centres_board_costs_the_same_queries_with_reports(meeting, client, login,
                                                                      django_assert_num_queries):
    scheduler = login(Staff.Role.SCHEDULER, HALL)
    url = reverse("join:control-board")
    scheduler.get(url)  # the session's first reads
    with CaptureQueriesContext(connection) as none:
        scheduler.get(url)
    board_queries = len(none.captured_queries)  # read now: the next request empties the connection's log
    for code, kind in ((MUEANG, "no_audio"), (KUMPHAWAPI, "no_video"), (HALL, "no_share")):
        client.post(report_url(pass_of(meeting, code).token), {"kind": kind}, **JSON)
    with django_assert_num_queries(board_queries):
        page = scheduler.get(url).content.decode()
    assert page.count("evidence/meeting/") >= 1
    # The fragment: a fixed cost whatever the number of reports
    scheduler.get(board_url(meeting))
    with CaptureQueriesContext(connection) as three:
        assert scheduler.get(board_url(meeting)).content.decode().count("data-fault=") == 3
    fragment_queries = len(three.captured_queries)
    client.post(report_url(pass_of(meeting, MUEANG).token), {"kind": "no_video"}, **JSON)
    with django_assert_num_queries(fragment_queries):
        assert scheduler.get(board_url(meeting)).content.decode().count("data-fault=") == 4
