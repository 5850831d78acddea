"""Scheduling pages: Thai, BE dates, province-scoped, the services' errors on the form, fixed query counts."""

from __future__ import annotations

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from districts.models import Site
from meetings.models import Document, Meeting, Room
from tests.factories.meetings import MeetingFactory, at, next_slot, site

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def as_scheduler(login):
    return login("scheduler", "41")


def form_data(**overrides) -> dict:
    start, end = next_slot()
    data = {
        "title": "ประชุมกรมการจังหวัด",
        "host_site": site("41").pk,
        "date": f"{start.day:02d}/{start.month:02d}/{start.year + 543}",
        "start_time": start.strftime("%H:%M"),
        "end_time": end.strftime("%H:%M"),
        "sites": [site("4101").pk, site("4122").pk],
        "agenda": "ประธานแจ้งให้ที่ประชุมทราบ\nเรื่องอื่น ๆ",
    }
    data.update(overrides)
    return data


def test_clerk_and_anonymous_cannot_open_scheduling(client, login):
    assert client.get(reverse("meetings:list")).status_code == 302
    clerk = login("clerk", "4122")
    assert clerk.get(reverse("meetings:list")).status_code == 403
    assert clerk.get(reverse("meetings:create")).status_code == 403


def test_create_with_be_date_then_detail_shows_the_room(as_scheduler, fake_server, django_capture_on_commit_callbacks):
    data = form_data(documents=SimpleUploadedFile("รายงาน.pdf", PDF))
    with django_capture_on_commit_callbacks(execute=True):
        response = as_scheduler.post(reverse("meetings:create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("meetings:detail", kwargs={"pk": meeting.pk})
    assert meeting.agenda == ["ประธานแจ้งให้ที่ประชุมทราบ", "เรื่องอื่น ๆ"]
    assert meeting.participations.count() == 3
    assert Document.objects.get().meeting == meeting

    page = as_scheduler.get(response["Location"]).content.decode()
    assert "ห้องพร้อม" in page  # the room's state on the media server
    assert f"{meeting.start.year + 543}" in page  # BE year
    assert "รายงาน.pdf" in page


def test_all_districts_checkbox_takes_every_site_of_the_province(as_scheduler, fake_server):
    response = as_scheduler.post(reverse("meetings:create"), form_data(sites=[], all_districts="on"))
    assert response.status_code == 302
    assert Meeting.objects.get().participations.count() == 21


def test_clash_is_shown_on_the_form_and_nothing_is_written(as_scheduler, fake_server):
    with time_machine.travel(at(2026, 3, 1), tick=True):
        MeetingFactory.create(title="ประชุมเตรียมสงกรานต์", sites=("4122",), start=at(2026, 4, 12, 9),
                              end=at(2026, 4, 12, 10))
        response = as_scheduler.post(
            reverse("meetings:create"),
            form_data(host_site=site("4101").pk, date="12/04/2569", start_time="09:30", end_time="11:00"),
        )
    assert response.status_code == 400
    assert "อำเภอนายูง ติดประชุม “ประชุมเตรียมสงกรานต์” วันที่ 12 เม.ย. 2569 09:00–10:00 น." in response.content.decode()
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "text"),
    [
        ({"end_time": "08:00", "start_time": "09:00"}, "เวลาสิ้นสุดต้องหลังเวลาเริ่ม"),
        ({"date": "01/01/2560"}, "ผ่านมาแล้ว"),
        ({"date": "31/02/2569"}, "วันที่"),
        ({"date": "12/04/69"}, "ปี"),
        ({"sites": ["999999"]}, "เลือก"),
        ({"start_time": "25:00"}, "เวลา"),
        ({"title": ""}, "พิมพ์เรื่องที่ประชุม เช่น"),
        ({"repeat": "daily"}, "ต้องมีจุดสิ้นสุด"),
        ({"documents": SimpleUploadedFile("virus.exe", b"MZ....")}, "ชนิดที่ไม่รองรับ"),
    ],
    ids=["end-before-start", "past", "no-such-day", "two-digit-year", "unknown-site", "bad-time", "no-title",
         "series-no-end", "bad-document"],
)
def test_bad_input_gets_a_clear_error_never_a_500(as_scheduler, fake_server, overrides, text):
    response = as_scheduler.post(reverse("meetings:create"), form_data(**overrides))
    assert response.status_code == 400
    body = response.content.decode()
    assert text in body
    assert Meeting.objects.count() == 0


def test_reschedule_edit_and_cancel_pages(as_scheduler, fake_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = MeetingFactory.create(sites=("4101",))
    start, _ = next_slot()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_scheduler.post(
            reverse("meetings:reschedule", kwargs={"pk": meeting.pk}),
            {"date": f"{start.day}/{start.month}/{start.year}", "start_time": "13:00", "end_time": "15:30"},
        )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.start.astimezone(start.tzinfo).hour, meeting.sequence) == (13, 1)

    edit_url = reverse("meetings:edit", kwargs={"pk": meeting.pk})
    assert as_scheduler.get(edit_url).status_code == 200
    response = as_scheduler.post(edit_url, {"title": "เรื่องใหม่", "agenda": "วาระเดียว",
                                            "sites": [site("4101").pk, site("4102").pk]})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "เรื่องใหม่"
    assert meeting.participations.count() == 3

    cancel_url = reverse("meetings:cancel", kwargs={"pk": meeting.pk})
    assert as_scheduler.get(cancel_url).status_code == 200
    without = as_scheduler.post(cancel_url)  # the page asks why: the notices carry it
    assert without.status_code == 400
    assert "บอกเหตุที่ยกเลิก" in without.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert as_scheduler.post(cancel_url, {"reason": "ประธานติดภารกิจ\nเร่งด่วน"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.cancel_reason == "ประธานติดภารกิจ เร่งด่วน"
    assert meeting.room.state == Room.State.DESTROYED


def test_a_series_is_cancelled_from_this_occurrence_on_with_its_reason_in_every_notice(
    as_scheduler, fake_server, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from meetings.services.scheduling import series_schedule
    from notifications.content import notification_message
    from notifications.models import Notification
    from notifications.selectors import join_tokens

    start = (timezone.now() + timedelta(days=2)).replace(hour=2, minute=0, second=0, microsecond=0)
    from districts.models import Staff

    scheduler = Staff.objects.filter(role="scheduler", site=site("41")).select_related("user").first().user
    series = series_schedule(title="ประชุมติดตามงานรายวัน", host_site=site("41"), sites=[site("4101")], start=start,
                             end=start + timedelta(hours=1), frequency="daily", count=4, created_by=scheduler)
    meetings = list(Meeting.objects.filter(series=series).order_by("start"))
    Notification.objects.filter(meeting__series=series).update(state=Notification.State.SENT)  # they were invited
    page = as_scheduler.get(reverse("meetings:cancel", kwargs={"pk": meetings[1].pk})).content.decode()
    assert "ยกเลิกครั้งนี้และทุกครั้งต่อจากนี้ในชุด" in page
    assert "(3 ครั้ง)" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = as_scheduler.post(reverse("meetings:cancel", kwargs={"pk": meetings[1].pk}),
                                     {"reason": "ย้ายไปประชุมที่ศาลากลาง", "scope": "following"})
    assert response.status_code == 302
    states = [m.status for m in Meeting.objects.filter(series=series).order_by("start")]
    assert states[0] != Meeting.Status.CANCELLED
    assert states[1:] == [Meeting.Status.CANCELLED] * 3
    cancels = Notification.objects.filter(meeting__series=series, kind=Notification.Kind.CANCELLATION,
                                          channel=Notification.Channel.EMAIL)
    assert {row.meeting_id for row in cancels} == {m.pk for m in meetings[1:]}
    row = cancels.first()
    message = notification_message(row, join_tokens=join_tokens(pairs=[]))
    assert "เหตุที่ยกเลิก: ย้ายไปประชุมที่ศาลากลาง" in message.text


def test_meetings_of_another_province_are_not_found(as_scheduler, fake_server, login, client):
    meeting = MeetingFactory.create()
    other_hall = Site.objects.create(province_id=site("41").province_id + 1, kind=Site.Kind.PROVINCIAL_HALL,
                                     name="ศาลากลางจังหวัดอื่น")
    from tests.factories.districts import StaffFactory

    other = StaffFactory.create(role="scheduler", site_code=other_hall.province.code)
    client.force_login(other.user)
    assert client.get(reverse("meetings:detail", kwargs={"pk": meeting.pk})).status_code == 404
    assert meeting.title not in client.get(reverse("meetings:list")).content.decode()


def _pages_with(count: int, client, django_assert_num_queries, queries_list: int, queries_detail: int):
    meetings = [MeetingFactory.create(sites=("4101", "4102", "4103")) for _ in range(count)]
    with django_assert_num_queries(queries_list):
        response = client.get(reverse("meetings:list"))
    assert response.status_code == 200
    assert all(m.title in response.content.decode() for m in meetings)
    with django_assert_num_queries(queries_detail):
        assert client.get(reverse("meetings:detail", kwargs={"pk": meetings[0].pk})).status_code == 200


@pytest.mark.parametrize("count", [1, 12])
def test_list_and_detail_cost_a_fixed_number_of_queries(as_scheduler, fake_server, django_assert_num_queries, count):
    # the session, who asks (the user with their Staff row, site and province: one query), savepoint, then the
    # list: 1 query (detail: meeting, sites, agencies, documents, who was told: notifications, sites, clerks with
    # email, agencies, and the chair's pass), release.
    _pages_with(count, as_scheduler, django_assert_num_queries, queries_list=5, queries_detail=13)
