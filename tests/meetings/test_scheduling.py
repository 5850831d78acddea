"""Scheduling services: what gets written, and the clear errors that write nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from districts.models import Agency, Province, Site
from meetings.backends.fake import FakeBackend
from meetings.models import DEFAULT_AGENDA, AgencyInvitation, Meeting, Participation, Room, Series
from meetings.services.scheduling import (
    meeting_cancel,
    meeting_reschedule,
    meeting_schedule,
    meeting_update,
    occurrence_cancel,
    occurrence_move,
    series_schedule,
)
from tests.factories.meetings import MeetingFactory, at, next_slot, site

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL


def counts() -> tuple[int, int, int, int, int]:
    return (Meeting.objects.count(), Participation.objects.count(), Room.objects.count(),
            Series.objects.count(), AgencyInvitation.objects.count())


def schedule(scheduler, **overrides):
    start, end = next_slot()
    values = {
        "title": "ประชุมกรมการจังหวัด", "host_site": site("41"), "sites": [site("4101"), site("4122")],
        "start": start, "end": end, "created_by": scheduler,
    }
    values.update(overrides)
    return meeting_schedule(**values)


def test_schedule_writes_meeting_sites_agencies_and_room(scheduler, fake_server, django_capture_on_commit_callbacks):
    agency = Agency.objects.create(province=Province.objects.get(code="41"), name="สำนักงานสาธารณสุขจังหวัด",
                                   email="health@example.go.th")
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(scheduler, agencies=[agency])

    meeting.refresh_from_db()
    assert meeting.agenda == DEFAULT_AGENDA
    assert meeting.status == Meeting.Status.READY
    assert meeting.created_by == scheduler
    roles = dict(meeting.participations.values_list("site__district__code", "role"))
    assert roles == {None: "host", "4101": "participant", "4122": "participant"}
    assert list(meeting.agencies.all()) == [agency]
    room = meeting.room
    assert room.server == fake_server
    assert room.state == Room.State.PROVISIONED
    assert room.provisioned_version == room.desired_version == 1
    assert room.publishers == 4
    assert room.name == room.name.lower()
    assert room.number > 0
    spec = FakeBackend.rooms()[room.number]
    assert spec.pin == room.pin
    assert spec.secret == room.secret
    assert spec.description.startswith("ประชุมกรมการจังหวัด · ")
    assert room.secret not in str(room)
    assert room.pin not in str(room)


def test_schedule_without_any_server_keeps_the_room_pending_with_a_reason(
    scheduler, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(scheduler)
    room = Room.objects.get(meeting=meeting)
    assert room.server is None
    assert room.state == Room.State.PENDING
    assert "ยังไม่มีเซิร์ฟเวอร์สื่อ" in room.last_error
    assert room.attempts == 1
    assert room.next_attempt_at is not None


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        (lambda s, e: (s, s - timedelta(minutes=30)), "end", "ต้องหลังเวลาเริ่ม"),
        (lambda s, e: (s, s), "end", "ต้องหลังเวลาเริ่ม"),
        (lambda s, e: (timezone.now() - timedelta(days=1), timezone.now() - timedelta(hours=23)), "start", "ผ่านมาแล้ว"),
        (lambda s, e: (s.replace(tzinfo=None), e.replace(tzinfo=None)), "start", "เขตเวลา"),
        (lambda s, e: (s, s + timedelta(hours=30)), "end", "ยาวเกิน"),
    ],
    ids=["end-before-start", "zero-length", "in-the-past", "naive", "too-long"],
)
def test_bad_times_are_refused_and_nothing_is_written(scheduler, fake_server, change, field, text):
    start, end = change(*next_slot())
    before = counts()
    with pytest.raises(ValidationError) as caught:
        schedule(scheduler, start=start, end=end)
    assert text in " ".join(caught.value.message_dict[field])
    assert counts() == before


def test_unknown_site_is_refused(scheduler, fake_server):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        schedule(scheduler, sites=[site("4101"), 999_999])
    assert caught.value.message_dict["sites"] == ["ไม่พบสถานที่รหัส 999999: เลือกจากรายการสถานที่ของจังหวัด"]
    assert counts() == before


def test_inactive_site_and_site_of_another_province_are_refused(scheduler, fake_server):
    na_yung = site("4122")
    Site.objects.filter(pk=na_yung.pk).update(is_active=False)
    other_province = Site.objects.create(province=Province.objects.get(code="10"), kind=Site.Kind.PROVINCIAL_HALL,
                                         name="ศาลาว่าการกรุงเทพมหานคร")
    before = counts()
    with pytest.raises(ValidationError) as caught:
        schedule(scheduler, sites=[na_yung, other_province])
    messages = " ".join(caught.value.message_dict["sites"])
    assert "อำเภอนายูง ปิดใช้งานอยู่" in messages
    assert "ศาลาว่าการกรุงเทพมหานคร (กรุงเทพมหานคร) อยู่นอกจังหวัดของท่าน" in messages
    assert counts() == before


def test_clash_names_the_site_and_the_meeting_with_its_be_date(scheduler, fake_server):
    with time_machine.travel(at(2026, 3, 1), tick=True):
        meeting_schedule(title="ประชุมเตรียมสงกรานต์", host_site=site("41"), sites=[site("4122")],
                         start=at(2026, 4, 12, 9), end=at(2026, 4, 12, 10), created_by=scheduler)
        before = counts()
        with pytest.raises(ValidationError) as caught:
            meeting_schedule(title="อีกเรื่อง", host_site=site("4101"), sites=[site("4122")],
                             start=at(2026, 4, 12, 9, 30), end=at(2026, 4, 12, 11), created_by=scheduler)
    assert caught.value.message_dict["sites"] == [
        "อำเภอนายูง ติดประชุม “ประชุมเตรียมสงกรานต์” วันที่ 12 เม.ย. 2569 09:00–10:00 น."
        " — เลือกเวลาอื่น หรือนำสถานที่นี้ออกจากการประชุม"
    ]
    assert counts() == before


def test_back_to_back_meetings_do_not_clash_and_cancelled_ones_free_the_sites(scheduler, fake_server):
    start, end = next_slot()
    first = schedule(scheduler, start=start, end=end)
    schedule(scheduler, start=end, end=end + timedelta(hours=1))  # starts when the first ends
    with pytest.raises(ValidationError):
        schedule(scheduler, start=start, end=end)
    meeting_cancel(meeting=first, by=scheduler)
    again = schedule(scheduler, start=start, end=end)
    assert again.pk


def test_reschedule_moves_sites_and_bumps_sequence(scheduler, fake_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(scheduler)
    new_start = meeting.start + timedelta(days=1, hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_reschedule(meeting=meeting, start=new_start, end=new_start + timedelta(hours=2), by=scheduler)
    meeting.refresh_from_db()
    assert meeting.start == new_start
    assert meeting.sequence == 1
    assert set(meeting.participations.values_list("start", flat=True)) == {new_start}
    room = meeting.room
    assert room.desired_version == room.provisioned_version == 2
    assert room.state == Room.State.PROVISIONED
    assert "·" in FakeBackend.rooms()[room.number].description


def test_reschedule_into_a_clash_or_the_past_changes_nothing(scheduler, fake_server):
    other = schedule(scheduler)
    meeting = schedule(scheduler)
    old = (meeting.start, meeting.end, meeting.sequence)
    with pytest.raises(ValidationError) as caught:
        meeting_reschedule(meeting=meeting, start=other.start, end=other.end, by=scheduler)
    assert "ติดประชุม “ประชุมกรมการจังหวัด”" in caught.value.message_dict["sites"][0]
    with pytest.raises(ValidationError):
        meeting_reschedule(meeting=meeting, start=timezone.now() - timedelta(hours=2),
                           end=timezone.now() - timedelta(hours=1), by=scheduler)
    meeting.refresh_from_db()
    assert (meeting.start, meeting.end, meeting.sequence) == old


def test_update_changes_title_agenda_and_sites(scheduler, fake_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(scheduler)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(meeting=meeting, title="เรื่องใหม่", agenda=["ประธานแจ้ง", "เรื่องอื่น ๆ"],
                       sites=[site("4101"), site("4103")], by=scheduler)
    meeting.refresh_from_db()
    assert meeting.title == "เรื่องใหม่"
    assert meeting.agenda == ["ประธานแจ้ง", "เรื่องอื่น ๆ"]
    codes = {p.site.code for p in meeting.participations.select_related("site__district", "site__province")}
    assert codes == {"41", "4101", "4103"}
    assert meeting.sequence == 1
    assert FakeBackend.rooms()[meeting.room.number].description.startswith("เรื่องใหม่ · ")
    assert meeting.room.publishers == 3


def test_cancel_frees_sites_and_destroys_the_room(scheduler, fake_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(scheduler)
    number = meeting.room.number
    assert number in FakeBackend.rooms()
    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(meeting=meeting, by=scheduler)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.sequence == 1
    assert not meeting.participations.filter(active=True).exists()
    assert meeting.room.state == Room.State.DESTROYED
    assert number not in FakeBackend.rooms()
    with pytest.raises(ValidationError) as caught:
        meeting_reschedule(meeting=meeting, start=meeting.start, end=meeting.end + timedelta(hours=1))
    assert "ยกเลิก" in caught.value.message_dict["status"][0]


# --- series ------------------------------------------------------------------------------------------------


@time_machine.travel(at(2026, 3, 1), tick=True)
def test_songkran_daily_series_move_and_cancel_one_occurrence(
    scheduler, fake_server, django_capture_on_commit_callbacks
):
    all_sites = list(Site.objects.filter(province__code="41"))
    assert len(all_sites) == 21
    with django_capture_on_commit_callbacks(execute=True):
        series = series_schedule(
            title="ประชุมศูนย์ปฏิบัติการความปลอดภัยทางถนน ช่วงสงกรานต์", host_site=site("41"), sites=all_sites,
            start=at(2026, 4, 12, 9), end=at(2026, 4, 12, 10), frequency=Series.Frequency.DAILY,
            until=date(2026, 4, 18), created_by=scheduler,
        )
    meetings = list(series.meetings.order_by("start"))
    assert [m.start for m in meetings] == [at(2026, 4, day, 9) for day in range(12, 19)]
    assert [m.occurrence for m in meetings] == list(range(1, 8))
    assert Participation.objects.filter(meeting__series=series).count() == 7 * 21
    assert len(FakeBackend.rooms()) == 7

    third, fifth = meetings[2], meetings[4]
    with django_capture_on_commit_callbacks(execute=True):
        occurrence_move(meeting=third, start=at(2026, 4, 14, 13), end=at(2026, 4, 14, 14), by=scheduler)
        occurrence_cancel(meeting=fifth, by=scheduler)
    starts = {m.occurrence: (m.start, m.status) for m in series.meetings.all()}
    assert starts[3] == (at(2026, 4, 14, 13), Meeting.Status.READY)
    assert starts[5][1] == Meeting.Status.CANCELLED
    assert all(starts[n] == (at(2026, 4, 11 + n, 9), Meeting.Status.READY) for n in (1, 2, 4, 6, 7))
    assert len(FakeBackend.rooms()) == 6


def test_weekly_series_by_count(scheduler, fake_server):
    start, end = next_slot()
    series = series_schedule(title="ประชุมประจำสัปดาห์", host_site=site("41"), sites=[site("4101")], start=start,
                             end=end, frequency="weekly", count=4, created_by=scheduler)
    assert [m.start for m in series.meetings.order_by("start")] == [start + timedelta(weeks=n) for n in range(4)]


@pytest.mark.parametrize(
    ("options", "field", "text"),
    [
        ({}, "until", "ต้องมีจุดสิ้นสุด"),
        ({"count": 500}, "count", "ระหว่าง 1 ถึง"),
        ({"until": date(2099, 1, 1)}, "until", "ไม่เกิน"),
        ({"until": date(2000, 1, 1)}, "until", "อยู่ก่อนวันเริ่ม"),
    ],
    ids=["no-end", "too-many", "too-far", "until-before-start"],
)
def test_series_without_a_sane_end_is_refused(scheduler, fake_server, options, field, text):
    start, end = next_slot()
    before = counts()
    with pytest.raises(ValidationError) as caught:
        series_schedule(title="ไม่มีวันจบ", host_site=site("41"), sites=[], start=start, end=end,
                        frequency="daily", created_by=scheduler, **options)
    assert text in " ".join(caught.value.message_dict[field])
    assert counts() == before


def test_series_clash_with_one_occurrence_writes_nothing(scheduler, fake_server):
    start, end = next_slot()
    MeetingFactory.create(sites=("4122",), start=start + timedelta(days=2), end=end + timedelta(days=2))
    before = counts()
    with pytest.raises(ValidationError) as caught:
        series_schedule(title="ชุด", host_site=site("4101"), sites=[site("4122")], start=start, end=end,
                        frequency="daily", count=5, created_by=scheduler)
    assert caught.value.message_dict["sites"][0].startswith("อำเภอนายูง ติดประชุม “ประชุมทดสอบ")
    assert counts() == before
