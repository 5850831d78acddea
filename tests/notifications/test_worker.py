"""Notifications through the production shape: a real Redis, a real Celery worker process (two pool processes),
a real SMTP server (aiosmtpd) and the LINE stub — and the faults: a worker killed with SIGKILL in the middle of
a batch, Redis stopped while meetings are scheduled, the SMTP server answering 451 for a while.

Every test ends by reading the SMTP server's mailbox: each row's Message-ID must be there (nothing lost) and is
counted (anything sent twice shows). Rows are committed (transactional tests) so the worker process sees them.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from meetings.models import Meeting
from meetings.services.scheduling import meeting_cancel, meeting_reschedule, meeting_update
from notifications.models import Notification
from notifications.services import notifications_sweep
from notifications.tasks import reminders_plan
from tests.factories.meetings import MeetingFactory, SchedulerFactory, next_slot
from tests.services.celery_worker import CeleryWorker, publishing_to
from tests.services.line_stub import LineStub
from tests.services.redis import RedisServer

from .conftest import agency, calendar_of, clerks, line_group, message_ids, smtp_sink, text_of

pytestmark = pytest.mark.integration  # committed rows: `transactional_db` is requested by `_committed` below

State, Kind, Channel = Notification.State, Notification.Kind, Notification.Channel
DISTRICTS = ("4101", "4102", "4103", "4104", "4105", "4106", "4107", "4108", "4109", "4110", "4111", "4117",
             "4118", "4119", "4120", "4121", "4122", "4123", "4124", "4125")  # fmt: skip
LEASE_SECONDS = 20


# --- the servers, once for the module ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis():
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="module")
def sink():
    # 5 ms per message after storing it, as a server that writes to disk before it answers 250.
    with smtp_sink(delay=0.005) as server:
        yield server


@pytest.fixture(scope="module")
def line():
    with LineStub() as stub:
        yield stub


@pytest.fixture(scope="module")
def broker(redis):
    """This process publishes to the test's Redis instead of running tasks in-process."""
    with publishing_to(redis.url) as app:
        yield app


@pytest.fixture(scope="module")
def worker(django_db_setup, broker, redis, sink, line):
    """`celery -A portal worker --concurrency 2` on the test database, the test's Redis, SMTP server and LINE."""
    database = connection.settings_dict
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_BROKER_URL": redis.url,
        "EMAIL_HOST": sink.host,
        "EMAIL_PORT": str(sink.port),
        "LINE_API_BASE": line.base_url,
        "LINE_CHANNEL_ACCESS_TOKEN": line.token,
        "PRACHUM_NOTIFICATION_BACKOFF": "2,2,4,8,16",
        "PRACHUM_NOTIFICATION_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    process = CeleryWorker(env=env, concurrency=2)
    process.start()
    yield process
    process.stop()


@pytest.fixture(autouse=True)
def _committed(geography_restored, transactional_db, fake_server, worker):
    """Each test: committed rows (the worker sees them), the geography back after the flush."""


@pytest.fixture(autouse=True)
def _fresh(sink, line):
    """Each test: an empty mailbox and LINE log, both servers accepting."""
    sink.clear()
    sink.refuse(None)
    line.clear()


# --- helpers -----------------------------------------------------------------------------------------------


def wait_until(condition, *, timeout: float, what: str, worker: CeleryWorker) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    counts = Counter(Notification.objects.values_list("state", flat=True))
    raise AssertionError(f"{what}: not reached in {timeout} s; rows {dict(counts)}\n{worker.log()[-4000:]}")


def unfinished(meetings) -> int:
    return (
        Notification.objects.filter(meeting__in=meetings)
        .exclude(state__in=[State.SENT, State.SUPERSEDED, State.FAILED])
        .count()
    )


def delivered_once_each(sink, meetings) -> tuple[int, int]:
    """(lost, duplicates) over the email rows of these meetings, by Message-ID at the SMTP server."""
    expected = set(
        Notification.objects.filter(meeting__in=meetings, channel=Channel.EMAIL, state=State.SENT).values_list(
            "message_id", flat=True
        )
    )
    received = message_ids(sink.received)
    lost = len(expected - set(received))
    duplicates = sum(count - 1 for count in received.values())
    return lost, duplicates


def many_clerks(per_site: int = 3) -> int:
    for code in DISTRICTS:
        clerks(code, per_site)
    return per_site * len(DISTRICTS)


# --- the happy path ----------------------------------------------------------------------------------------


def test_invitation_update_and_cancellation_through_the_worker(worker, sink, line):
    people = {code: clerks(code, 2) for code in ("4101", "4102")}
    group = line_group("4102")
    invited = agency()
    creator = SchedulerFactory.create()
    meeting = MeetingFactory.create(
        host="41", sites=("4101", "4102"), agencies=[invited], created_by=creator, title="ประชุมทดสอบผ่านเวิร์กเกอร์"
    )
    recipients = {s.user.email for staff in people.values() for s in staff} | {invited.email, creator.email}
    wait_until(lambda: unfinished([meeting]) == 0, timeout=30, what="invitations sent", worker=worker)
    assert sorted(mail.recipients[0] for mail in sink.received) == sorted(recipients)  # one each
    for mail in sink.received:
        calendar = calendar_of(mail)
        event = next(iter(calendar.walk("VEVENT")))
        assert calendar["METHOD"] == "REQUEST"
        assert event["UID"] == f"meeting-{meeting.pk}@127.0.0.1"
        assert event["SEQUENCE"] == 0
        assert event["DTSTART"].params["TZID"] == "Asia/Bangkok"
        assert event.decoded("DTSTART") == meeting.start
    assert [push.to for push in line.pushes] == [group]

    meeting = meeting_update(meeting=meeting, title="ประชุมทดสอบ (แก้ไข)")
    wait_until(
        lambda: unfinished([meeting]) == 0 and len(sink.received) == 2 * len(recipients),
        timeout=30,
        what="updates sent",
        worker=worker,
    )
    updates = sink.received[len(recipients) :]
    assert sorted(mail.recipients[0] for mail in updates) == sorted(recipients)
    assert {next(iter(calendar_of(m).walk("VEVENT")))["SEQUENCE"] for m in updates} == {1}
    assert all(mail.subject.startswith(("[แจ้งเปลี่ยนแปลงการประชุม]", "[Meeting changed]")) for mail in updates)

    meeting = meeting_cancel(meeting=meeting)
    wait_until(
        lambda: unfinished([meeting]) == 0 and len(sink.received) == 3 * len(recipients),
        timeout=30,
        what="cancellations sent",
        worker=worker,
    )
    cancellations = sink.received[2 * len(recipients) :]
    calendars = [calendar_of(mail) for mail in cancellations]
    assert {c["METHOD"] for c in calendars} == {"CANCEL"}
    assert {next(iter(c.walk("VEVENT")))["SEQUENCE"] for c in calendars} == {2}
    assert {next(iter(c.walk("VEVENT")))["STATUS"] for c in calendars} == {"CANCELLED"}
    assert len(line.pushes) == 3
    assert delivered_once_each(sink, [meeting]) == (0, 0)


def test_reminders_go_out_at_their_times_with_a_shifted_clock(worker, sink):
    people = clerks("4101", 2)
    start, end = next_slot()
    meeting = MeetingFactory.create(host="41", sites=("4101",), start=start, end=end)
    wait_until(lambda: unfinished([meeting]) == 0, timeout=30, what="invitations sent", worker=worker)
    invitations = len(sink.received)

    def reminders() -> list:
        return [mail for mail in sink.received if mail.subject.startswith("[เตือน")]

    def beat(at) -> None:
        """What beat does every minute, on the worker, with the clock at `at`."""
        reminders_plan.apply_async(kwargs={"now": at.isoformat()})

    beat(start - timedelta(days=1, minutes=1))  # not yet
    beat(start - timedelta(days=1) + timedelta(minutes=1))  # one day before
    wait_until(lambda: len(reminders()) == invitations, timeout=30, what="1-day reminders", worker=worker)
    beat(start - timedelta(days=1) + timedelta(minutes=2))  # the next minute: nothing new
    assert all("1 วัน" in text_of(mail) for mail in reminders())

    # Moved after that reminder went out: an update, then reminders for the new time and none for the old.
    new_start = start + timedelta(hours=3)
    meeting = meeting_reschedule(meeting=meeting, start=new_start, end=new_start + (end - start))
    beat(start - timedelta(minutes=29))  # the old 30-minute time: the new start's one-day reminder is due
    beat(new_start - timedelta(minutes=29))
    wait_until(
        lambda: len(reminders()) == 3 * invitations and unfinished([meeting]) == 0,
        timeout=30,
        what="reminders for the new time",
        worker=worker,
    )
    rows = Notification.objects.filter(meeting=meeting, kind=Kind.REMINDER, state=State.SENT)
    assert sorted(rows.values_list("reminder_minutes", "meeting_start")) == sorted(
        [(1440, start)] * invitations + [(1440, new_start)] * invitations + [(30, new_start)] * invitations
    )
    assert not Notification.objects.filter(
        meeting=meeting, kind=Kind.REMINDER, meeting_start=start, reminder_minutes=30
    ).exists()
    addresses = Counter(mail.recipients[0] for mail in reminders())
    assert {staff.user.email for staff in people} <= set(addresses)
    assert set(addresses.values()) == {3}
    assert delivered_once_each(sink, [meeting]) == (0, 0)


def test_celery_beat_sends_the_reminder_at_its_time(worker, sink):
    """The real beat (every second here), with a one-minute reminder, on the real clock."""
    clerks("4101", 1)
    start = (timezone.now() + timedelta(seconds=75)).replace(microsecond=0)
    meeting = MeetingFactory.create(host="41", sites=("4101",), start=start, end=start + timedelta(hours=1))
    due = start - timedelta(minutes=1)
    wait_until(lambda: unfinished([meeting]) == 0, timeout=30, what="invitations sent", worker=worker)
    beat = CeleryWorker(
        env={**worker.env, "PRACHUM_TEST_BEAT": "beat-test", "PRACHUM_REMINDER_OFFSETS": "1"},
        concurrency=1,
        queues="beat-test",
        beat=True,
    )
    beat.start()
    try:
        reminders = Notification.objects.filter(meeting=meeting, kind=Kind.REMINDER)
        time.sleep(max(0.0, (due - timezone.now()).total_seconds() - 3))
        assert not reminders.exists(), "a reminder before its time"
        wait_until(
            lambda: reminders.filter(state=State.SENT).exists(), timeout=40, what="the beat's reminder", worker=beat
        )
    finally:
        beat.stop()
    rows = list(reminders)
    assert [(row.reminder_minutes, row.meeting_start) for row in rows] == [(1, start)] * len(rows)
    assert all(row.created_at >= due for row in rows)
    assert len([mail for mail in sink.received if mail.subject.startswith("[เตือน")]) == len(rows)
    assert delivered_once_each(sink, [meeting]) == (0, 0)


# --- faults ------------------------------------------------------------------------------------------------


def test_worker_killed_mid_batch_then_restarted_and_swept(worker, sink):
    sink.handler.delay = 0.02  # slow enough to kill it in the middle
    try:
        many_clerks(3)
        meeting = MeetingFactory.create(host="41", sites=DISTRICTS)
        total = Notification.objects.filter(meeting=meeting).count()
        assert total >= 60
        wait_until(lambda: len(sink.received) >= 12, timeout=30, what="the batch under way", worker=worker)
        worker.kill()  # SIGKILL of the worker and its two pool processes, in the middle of the batch
        at_kill = len(sink.received)
        assert at_kill < total, "the batch finished before the kill: nothing was tested"
        in_flight = Notification.objects.filter(meeting=meeting, state=State.SENDING).count()
        assert in_flight <= worker.concurrency

        worker.start()
        # The unacknowledged task messages would come back only after Redis's visibility timeout (an hour):
        # the sweep is what finishes the job, once the dead worker's leases and the sweep's grace have run out.
        report = notifications_sweep(now=timezone.now() + timedelta(seconds=max(LEASE_SECONDS, 60) + 1))
        assert report.released == in_flight
        wait_until(
            lambda: unfinished([meeting]) == 0, timeout=60, what="everything sent after the restart", worker=worker
        )
    finally:
        sink.handler.delay = 0.005
    lost, duplicates = delivered_once_each(sink, [meeting])
    assert Notification.objects.filter(meeting=meeting, state=State.SENT).count() == total
    assert lost == 0
    # At-least-once at the SMTP boundary: only a message the server had taken when its worker died, and whose
    # row was not yet marked sent, can go out again — at most one per killed pool process, with the same
    # Message-ID (so a mail store can drop the copy).
    assert duplicates <= worker.concurrency, f"{duplicates} duplicates for {in_flight} in flight"
    print(
        f"\nSIGKILL: {total} rows, {at_kill} received before the kill, {in_flight} in flight, "
        f"{duplicates} duplicate(s), {lost} lost"
    )


def test_redis_stopped_while_meetings_are_scheduled(worker, sink, redis):
    clerks("4101", 2)
    clerks("4102", 2)
    titles = {code: f"ประชุมขณะ Redis หยุด {code}" for code in ("4101", "4102", "4103")}
    redis.stop()
    try:
        started = time.monotonic()
        for code, title in titles.items():
            # Nothing raises: every enqueue after the commit (rooms, notifications) gives up quietly and the
            # sweeps send the work later.
            MeetingFactory.create(host="41", sites=(code,), title=title)
        took = time.monotonic() - started
    finally:
        redis.start()
    meetings = list(Meeting.objects.filter(title__in=titles.values()))
    assert len(meetings) == 3
    assert took < 20, f"scheduling waited {took:.1f} s for a broker that was down"
    rows = Notification.objects.filter(meeting__in=meetings)
    assert set(rows.values_list("state", flat=True)) == {State.PENDING}  # written, not yet sent: not lost
    time.sleep(1)
    assert len(sink.received) == 0

    # Redis is back (empty: whatever it held is gone); the sweep re-enqueues what is pending.
    report = notifications_sweep(now=timezone.now() + timedelta(minutes=2))
    assert report.enqueued == rows.count()
    wait_until(lambda: unfinished(meetings) == 0, timeout=60, what="sent after Redis came back", worker=worker)
    assert delivered_once_each(sink, meetings) == (0, 0)
    assert len(sink.received) == rows.count()


def test_smtp_answering_451_for_a_while(worker, sink):
    clerks("4101", 3)
    clerks("4102", 3)
    sink.refuse("451 4.3.0 Temporary local problem, try again later")
    meeting = MeetingFactory.create(host="41", sites=("4101", "4102"))
    rows = Notification.objects.filter(meeting=meeting, channel=Channel.EMAIL)
    wait_until(
        lambda: rows.filter(last_error__contains="451").exists(), timeout=30, what="the first 451", worker=worker
    )
    time.sleep(3)  # the server keeps refusing: the worker backs off and tries again
    assert len(sink.received) == 0
    assert not rows.filter(state__in=[State.SENT, State.FAILED]).exists()
    sink.refuse(None)
    wait_until(lambda: unfinished([meeting]) == 0, timeout=60, what="sent once the server accepts", worker=worker)
    assert set(rows.values_list("state", flat=True)) == {State.SENT}
    assert max(rows.values_list("attempts", flat=True)) >= 2
    assert delivered_once_each(sink, [meeting]) == (0, 0)
    assert len(sink.received) == rows.count()


def test_the_worker_sends_line_pushes_once_through_retries(worker, line):
    group = line_group("4103")
    line.fail_next(429)
    line.accept_then_fail(1)
    meeting = MeetingFactory.create(host="41", sites=("4103",))
    wait_until(lambda: unfinished([meeting]) == 0, timeout=30, what="the LINE push", worker=worker)
    row = Notification.objects.get(meeting=meeting, channel=Channel.LINE)
    assert row.state == State.SENT
    assert row.attempts == 3  # 429, then accepted but answered 500, then 409: already accepted
    assert [push.to for push in line.pushes] == [group]
