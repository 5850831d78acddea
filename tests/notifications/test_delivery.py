"""Delivering rows in this process to a real SMTP server and to the LINE stub: content, errors, retries.

The same code runs in the Celery worker (see test_worker.py); here each step is driven by hand so every state
of a row can be looked at.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from foundation.thaidate import format_be_long
from join.links import join_url
from join.models import JoinPass
from meetings.services.scheduling import meeting_cancel, meeting_update
from notifications.models import Notification
from notifications.services import (
    notification_resend,
    notifications_deliver,
    notifications_sweep,
)
from tests.factories.meetings import MeetingFactory, SchedulerFactory, site

from .conftest import calendar_of, html_of, message_ids, text_of

pytestmark = pytest.mark.integration

Kind, State, Channel = Notification.Kind, Notification.State, Notification.Channel


def pending_ids(meeting, **filters) -> list[int]:
    return list(
        Notification.objects.filter(meeting=meeting, state=State.PENDING, **filters)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def deliver(meeting, **filters):
    return notifications_deliver(ids=pending_ids(meeting, **filters))


def by_recipient(received) -> dict[str, object]:
    return {mail.recipients[0]: mail for mail in received}


def test_invitations_in_thai_and_english_with_the_join_link_and_a_valid_ics(people, smtp):
    creator = SchedulerFactory.create()
    meeting = MeetingFactory.create(
        title="ประชุมศูนย์ปฏิบัติการความปลอดภัยทางถนน",
        host="41",
        sites=("4101", "4102"),
        created_by=creator,
        agencies=[people["agency"]],
        agenda=["ประธานแจ้งให้ที่ประชุมทราบ", "เรื่องอื่น ๆ"],
    )
    rows = {row.address: row for row in Notification.objects.filter(meeting=meeting, channel=Channel.EMAIL)}
    report = deliver(meeting, channel=Channel.EMAIL)
    assert report.sent == len(rows) == 5
    assert set(message_ids(smtp.received).values()) == {1}
    mails = by_recipient(smtp.received)
    assert set(mails) == set(rows)

    clerk = people["4101"][0].user.email
    mail = mails[clerk]
    assert mail.message["Message-ID"] == rows[clerk].message_id
    assert mail.subject.startswith("[เชิญประชุม] ประชุมศูนย์ปฏิบัติการความปลอดภัยทางถนน")
    text, html = text_of(mail), html_of(mail)
    assert format_be_long(meeting.start) in text  # 2569, not 2026
    assert "ระเบียบวาระที่ 1 ประธานแจ้งให้ที่ประชุมทราบ" in text
    assert "<li>เรื่องอื่น ๆ</li>" in html
    join_pass = JoinPass.objects.get(meeting=meeting, site=site("4101"), revoked_at__isnull=True)
    assert join_url(join_pass.token) in text
    assert join_url(join_pass.token) in html

    calendar = calendar_of(mail)
    assert calendar["METHOD"] == "REQUEST"
    event = next(iter(calendar.walk("VEVENT")))
    assert event["UID"] == f"meeting-{meeting.pk}@127.0.0.1"
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].params["TZID"] == "Asia/Bangkok"
    assert event.decoded("DTSTART") == meeting.start
    assert str(event["ATTENDEE"]) == f"mailto:{clerk}"
    assert event["URL"] == join_url(join_pass.token)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Bangkok"]
    assert list(event.walk("VALARM"))

    english = mails[people["4102"][0].user.email]
    assert english.subject.startswith("[Invitation] ")
    assert "(B.E. 2569)" in text_of(english) or "(B.E. 2570)" in text_of(english)
    agency = mails[people["agency"].email]
    agency_pass = JoinPass.objects.get(meeting=meeting, agency=people["agency"], revoked_at__isnull=True)
    assert join_url(agency_pass.token) in text_of(agency)  # its own pass's link, never the scheduler's page
    assert f"/meetings/{meeting.pk}/" not in text_of(agency)
    assert all(
        row.state == State.SENT and row.sent_at
        for row in Notification.objects.filter(pk__in=[r.pk for r in rows.values()])
    )


def test_an_update_raises_the_sequence_and_a_cancellation_is_method_cancel(people, smtp):
    meeting = MeetingFactory.create(host="41", sites=("4101",))
    deliver(meeting)
    meeting = meeting_update(meeting=meeting, title="ประชุม (แก้ไขเรื่อง)")
    deliver(meeting)
    meeting = meeting_cancel(meeting=meeting)
    deliver(meeting)

    clerk = people["4101"][0].user.email
    received = [mail for mail in smtp.received if mail.recipients == [clerk]]
    assert [mail.subject.split("]")[0] for mail in received] == [
        "[เชิญประชุม",
        "[แจ้งเปลี่ยนแปลงการประชุม",
        "[แจ้งยกเลิกการประชุม",
    ]
    calendars = [calendar_of(mail) for mail in received]
    events = [next(iter(c.walk("VEVENT"))) for c in calendars]
    assert [c["METHOD"] for c in calendars] == ["REQUEST", "REQUEST", "CANCEL"]
    assert [e["SEQUENCE"] for e in events] == [0, 1, 2]
    assert len({e["UID"] for e in events}) == 1
    assert events[1]["SUMMARY"] == "ประชุม (แก้ไขเรื่อง)"
    assert events[2]["STATUS"] == "CANCELLED"


def test_smtp_451_puts_the_batch_off_with_back_off_then_it_goes_out_once(people, smtp, settings):
    settings.PRACHUM_NOTIFICATION_BACKOFF = [5, 30]
    meeting = MeetingFactory.create(host="41", sites=("4101", "4102"))
    ids = pending_ids(meeting, channel=Channel.EMAIL)
    smtp.refuse("451 4.3.0 Temporary failure, try again later")
    before = timezone.now()
    report = notifications_deliver(ids=ids)
    assert report.sent == 0
    assert report.retries == [(ids, 5)]
    first, *rest = Notification.objects.filter(pk__in=ids).order_by("pk")
    assert (first.state, first.attempts) == (State.PENDING, 1)
    assert "451" in first.last_error
    assert first.next_attempt_at >= before + timedelta(seconds=5)
    assert all((row.state, row.attempts) == (State.PENDING, 0) for row in rest)  # not even tried

    smtp.refuse(None)
    assert notifications_deliver(ids=ids).sent == len(ids)
    assert sorted(message_ids(smtp.received).values()) == [1] * len(ids)


def test_smtp_5xx_fails_the_message_for_good_and_the_others_go_on(people, smtp):
    meeting = MeetingFactory.create(host="41", sites=("4101",))
    smtp.refuse("550 5.1.1 mailbox unavailable")
    report = deliver(meeting)
    assert report.failed == len(people["4101"]) + 1  # the clerks and the creator
    assert set(Notification.objects.filter(meeting=meeting).values_list("state", flat=True)) == {State.FAILED}
    assert "550" in Notification.objects.filter(meeting=meeting).first().last_error


def test_the_last_attempt_fails_the_row(people, smtp, settings):
    settings.PRACHUM_NOTIFICATION_BACKOFF = [0]
    meeting = MeetingFactory.create(host="41", sites=("4101",))
    ids = pending_ids(meeting)
    smtp.refuse("451 4.3.0 try later")
    notifications_deliver(ids=ids)
    notifications_deliver(ids=ids)
    row = Notification.objects.get(pk=ids[0])
    assert (row.state, row.attempts) == (State.FAILED, 2)
    assert "451" in row.last_error


def test_connection_refused_is_temporary(people, settings, db):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on the discard port
    meeting = MeetingFactory.create(host="41", sites=("4101",))
    report = deliver(meeting)
    assert report.retries
    row = Notification.objects.filter(meeting=meeting).order_by("pk").first()
    assert row.state == State.PENDING
    assert "connection" in row.last_error.lower() or "refused" in row.last_error.lower()


def test_a_second_delivery_of_the_same_batch_sends_nothing(people, smtp):
    meeting = MeetingFactory.create(host="41", sites=("4101",))
    ids = pending_ids(meeting)
    # One row is in flight in another worker right now (a valid lease): it is left alone.
    Notification.objects.filter(pk=ids[0]).update(
        state=State.SENDING, lease_until=timezone.now() + timedelta(minutes=2), lease_token="x"
    )
    first = notifications_deliver(ids=ids)
    second = notifications_deliver(ids=ids)
    assert (first.sent, first.skipped) == (len(ids) - 1, 1)
    assert (second.sent, second.skipped) == (0, 1)
    assert len(smtp.received) == len(ids) - 1


def test_the_sweep_resends_what_a_dead_worker_left_in_flight(people, smtp):
    meeting = MeetingFactory.create(host="41", sites=("4101",))
    ids = pending_ids(meeting)
    Notification.objects.filter(pk=ids[0]).update(
        state=State.SENDING, lease_until=timezone.now() + timedelta(minutes=2), lease_token="dead", attempts=1
    )
    assert notifications_sweep().released == 0  # its lease still runs
    report = notifications_sweep(now=timezone.now() + timedelta(minutes=3))
    assert report.released == 1
    assert report.enqueued == len(ids)
    row = Notification.objects.get(pk=ids[0])
    assert row.state == State.PENDING
    assert notifications_deliver(ids=ids).sent == len(ids)
    assert Notification.objects.get(pk=ids[0]).attempts == 2


def test_line_push_to_the_site_group(people, line):
    meeting = MeetingFactory.create(title="ประชุมประจำเดือน", host="41", sites=("4101", "4102"))
    row = Notification.objects.get(meeting=meeting, channel=Channel.LINE)
    report = deliver(meeting, channel=Channel.LINE)
    assert report.sent == 1
    [push] = line.pushes
    assert push.to == people["line"]
    assert push.retry_key == row.line_retry_key
    assert "ประชุมประจำเดือน" in push.text
    assert format_be_long(meeting.start) in push.text
    row.refresh_from_db()
    assert row.state == State.SENT
    assert row.provider_reference == push.request_id


def test_line_retry_key_makes_a_lost_answer_safe_to_retry(people, line):
    meeting = MeetingFactory.create(host="41", sites=("4102",))
    ids = pending_ids(meeting, channel=Channel.LINE)
    line.accept_then_fail(1)  # LINE took it, but the answer we got was a 500
    report = notifications_deliver(ids=ids)
    assert report.retries
    assert Notification.objects.get(pk=ids[0]).state == State.PENDING
    report = notifications_deliver(ids=ids)  # the retry: LINE answers 409, already accepted
    assert report.sent == 1
    assert len(line.pushes) == 1
    assert line.requests == 2


def test_line_429_is_temporary_and_a_bad_token_is_permanent(people, line, settings):
    meeting = MeetingFactory.create(host="41", sites=("4102",))
    ids = pending_ids(meeting, channel=Channel.LINE)
    line.fail_next(429)
    notifications_deliver(ids=ids)
    row = Notification.objects.get(pk=ids[0])
    assert (row.state, row.attempts) == (State.PENDING, 1)
    assert "429" in row.last_error
    settings.LINE_CHANNEL_ACCESS_TOKEN = "wrong"
    notifications_deliver(ids=ids)
    row.refresh_from_db()
    assert row.state == State.FAILED
    assert "401" in row.last_error
    assert not line.pushes


def test_send_again_makes_a_new_row_once(people, smtp, django_capture_on_commit_callbacks):
    meeting = MeetingFactory.create(host="41", sites=("4101",))
    smtp.refuse("550 5.1.1 no such user")
    deliver(meeting)
    failed = Notification.objects.filter(meeting=meeting, state=State.FAILED).order_by("pk").first()
    smtp.refuse(None)
    with django_capture_on_commit_callbacks() as callbacks:
        again = notification_resend(notification=failed, expected_resends=0)
    assert len(callbacks) == 1
    assert again.resend_of == failed
    assert again.address == failed.address
    assert again.message_id != failed.message_id
    with pytest.raises(ValidationError, match="ไปแล้ว"):
        notification_resend(notification=failed, expected_resends=0)  # the double click
    assert notifications_deliver(ids=[again.pk]).sent == 1
    assert [mail.recipients for mail in smtp.received] == [[failed.address]]
    assert notification_resend(notification=again).resend_of == again  # a sent one may be sent again too
    meeting_cancel(meeting=meeting)
    with pytest.raises(ValidationError, match="ยกเลิก"):
        notification_resend(notification=failed)


@pytest.mark.django_db
def test_a_title_with_line_breaks_is_folded_where_it_comes_in_and_every_email_goes_out(people, smtp):
    from rest_framework.test import APIClient

    scheduler = SchedulerFactory.create()
    api = APIClient()
    api.force_authenticate(scheduler)
    start = timezone.localtime(timezone.now() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    body = {"title": "ประชุมติดตามงาน\r\nBcc: somebody@example.com\n\tวาระพิเศษ", "host_site": site("41").pk,
            "sites": [site("4101").pk], "agencies": [], "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat()}
    created = api.post("/api/meetings/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["title"] == "ประชุมติดตามงาน Bcc: somebody@example.com วาระพิเศษ"
    meeting_id = created.json()["id"]
    report = notifications_deliver(ids=list(Notification.objects.filter(
        meeting_id=meeting_id, channel=Channel.EMAIL, state=State.PENDING).values_list("pk", flat=True)))
    assert report.sent >= 2
    assert report.failed == 0
    assert all("\n" not in mail.subject and "somebody@example.com" not in mail.recipients for mail in smtp.received)
    assert not Notification.objects.filter(meeting_id=meeting_id, state=State.FAILED).exists()

    bell = api.post("/api/meetings/", {**body, "title": "ประชุม\x07ด่วน"}, format="json")
    assert bell.status_code == 400
    assert "อักขระควบคุม" in bell.json()["title"][0]
