"""Writing the notification rows: who gets what, the unique key, superseding (no worker involved here)."""

from datetime import UTC, datetime, timedelta

import pytest

from meetings.models import Meeting
from meetings.services.scheduling import meeting_cancel, meeting_reschedule, meeting_update
from notifications.models import Notification
from notifications.services import (
    notice_key,
    notifications_plan,
    reminder_due,
    reminder_key,
    reminders_plan,
)
from tests.factories.meetings import MeetingFactory, SchedulerFactory, next_slot, site

Kind, State, Channel = Notification.Kind, Notification.State, Notification.Channel


# --- the keys and the reminder rule (pure) -----------------------------------------------------------------


@pytest.mark.unit
def test_notice_key_is_one_per_recipient_and_meeting_version():
    key = notice_key(meeting_id=7, sequence=2, channel="email", address="a@b.go.th")
    assert key == "m7/s2/email:a@b.go.th"
    assert key == notice_key(meeting_id=7, sequence=2, channel="email", address="a@b.go.th")
    others = {
        notice_key(meeting_id=7, sequence=3, channel="email", address="a@b.go.th"),
        notice_key(meeting_id=8, sequence=2, channel="email", address="a@b.go.th"),
        notice_key(meeting_id=7, sequence=2, channel="line", address="a@b.go.th"),
        notice_key(meeting_id=7, sequence=2, channel="email", address="c@b.go.th"),
    }
    assert key not in others
    assert len(others) == 4


@pytest.mark.unit
def test_reminder_key_follows_the_start_time_not_the_version():
    start = datetime(2026, 4, 12, 2, 0, tzinfo=UTC)
    key = reminder_key(meeting_id=7, minutes=30, start=start, channel="email", address="a@b.go.th")
    assert key == "m7/r30@20260412T020000Z/email:a@b.go.th"
    moved = reminder_key(
        meeting_id=7, minutes=30, start=start + timedelta(hours=1), channel="email", address="a@b.go.th"
    )
    other_offset = reminder_key(meeting_id=7, minutes=1440, start=start, channel="email", address="a@b.go.th")
    assert len({key, moved, other_offset}) == 3


@pytest.mark.unit
def test_reminder_due_takes_the_closest_offset_whose_time_has_come():
    start = datetime(2026, 4, 12, 2, 0, tzinfo=UTC)
    created = start - timedelta(days=7)
    offsets = [1440, 30]

    def due(now):
        return reminder_due(start=start, created_at=created, now=now, offsets=offsets)

    assert due(start - timedelta(days=2)) is None
    assert due(start - timedelta(days=1)) == 1440
    assert due(start - timedelta(hours=3)) == 1440
    assert due(start - timedelta(minutes=30)) == 30
    assert due(start - timedelta(minutes=1)) == 30
    assert due(start) is None
    # Scheduled two hours ahead: no "one day before" reminder (the invitation is the notice), the 30-minute one.
    late = start - timedelta(hours=2)
    assert reminder_due(start=start, created_at=late, now=late + timedelta(minutes=1), offsets=offsets) is None
    assert reminder_due(start=start, created_at=late, now=start - timedelta(minutes=30), offsets=offsets) == 30


# --- writing the rows (PostgreSQL) -------------------------------------------------------------------------


def rows(meeting, **filters):
    return list(Notification.objects.filter(meeting=meeting, **filters).order_by("pk"))


def schedule(**extra):
    return MeetingFactory.create(host="41", sites=("4101", "4102"), **extra)


@pytest.mark.integration
def test_scheduling_writes_one_invitation_per_recipient_and_channel(people):
    creator = SchedulerFactory.create()
    meeting = schedule(created_by=creator, agencies=[people["agency"]])
    notifications_plan(meeting=meeting, change="invitation")  # a second write (the service wrote them) is harmless

    invitations = rows(meeting)
    assert all(row.kind == Kind.INVITATION and row.state == State.PENDING for row in invitations)
    by_address = {(row.channel, row.address): row for row in invitations}
    expected = {("email", staff.user.email) for staff in people["4101"] + people["4102"]}
    expected |= {("email", creator.email), ("email", people["agency"].email), ("line", people["line"])}
    assert set(by_address) == expected
    assert len(invitations) == len(expected)
    english = by_address[("email", people["4102"][0].user.email)]
    assert english.language == "en"
    assert english.site == site("4102")
    assert by_address[("email", creator.email)].audience == Notification.Audience.HOST
    assert by_address[("email", people["agency"].email)].audience == Notification.Audience.AGENCY
    line = by_address[("line", people["line"])]
    assert line.audience == Notification.Audience.SITE_GROUP
    assert line.site == site("4102")
    assert {row.sequence for row in invitations} == {0}
    assert len({row.message_id for row in invitations}) == len(invitations)


@pytest.mark.integration
def test_a_site_without_email_gets_no_email_and_people_without_an_address_are_skipped(people):
    site("4101").__class__.objects.filter(pk=site("4101").pk).update(notify_by_email=False)
    meeting = schedule()
    addresses = {row.address for row in rows(meeting)}
    assert not addresses & {staff.user.email for staff in people["4101"]}
    assert {staff.user.email for staff in people["4102"]} <= addresses


@pytest.mark.integration
def test_an_update_supersedes_pending_notices_and_tells_each_recipient_once(people):
    meeting = schedule()
    first = rows(meeting)
    told = first[0]
    Notification.objects.filter(pk=told.pk).update(state=State.SENT)  # this one went out already

    meeting = meeting_update(meeting=meeting, title="ประชุมแก้ไขเรื่อง", sites=[site("4101"), site("4102"), site("4103")])
    notifications_plan(meeting=meeting, change="update")  # again: harmless
    latest = rows(meeting, sequence=meeting.sequence)
    assert meeting.sequence == 1
    assert {row.pk for row in rows(meeting, state=State.SUPERSEDED)} == {row.pk for row in first if row.pk != told.pk}
    kinds = {(row.channel, row.address): row.kind for row in latest}
    assert kinds.pop((told.channel, told.address)) == Kind.UPDATE  # told before: an update
    assert set(kinds.values()) == {Kind.INVITATION}  # never told: the invitation, with the latest details
    assert len(latest) == len(first)  # 4103 has no clerk with an email


@pytest.mark.integration
def test_a_site_taken_out_gets_a_cancellation_only_if_it_was_told(people):
    meeting = schedule()
    told = rows(meeting, channel=Channel.EMAIL, address=people["4102"][0].user.email)[0]
    Notification.objects.filter(pk=told.pk).update(state=State.SENT)

    meeting = meeting_update(meeting=meeting, sites=[site("4101")])
    latest = rows(meeting, sequence=meeting.sequence)
    cancellations = [row for row in latest if row.kind == Kind.CANCELLATION]
    assert [(row.address, row.audience) for row in cancellations] == [(told.address, told.audience)]
    # 4102's LINE group was never told: nothing is sent to it, and its pending invitation is superseded.
    assert not [row for row in latest if row.channel == Channel.LINE]
    assert rows(meeting, channel=Channel.LINE)[0].state == State.SUPERSEDED


@pytest.mark.integration
def test_cancellation_supersedes_everything_pending_and_tells_those_who_were_told(people):
    meeting = schedule()
    invitations = rows(meeting)
    Notification.objects.filter(pk__in=[invitations[0].pk, invitations[1].pk]).update(state=State.SENT)
    Notification.objects.filter(pk=invitations[2].pk).update(state=State.SENDING, lease_until=meeting.start)

    meeting = meeting_cancel(meeting=meeting)
    cancellations = rows(meeting, kind=Kind.CANCELLATION)
    assert {row.address for row in cancellations} == {row.address for row in invitations[:3]}
    assert {row.sequence for row in cancellations} == {meeting.sequence}
    assert all(row.state == State.SUPERSEDED for row in invitations[3:] for row in rows(meeting, pk=row.pk))


# --- reminders ---------------------------------------------------------------------------------------------


@pytest.mark.integration
def test_reminders_are_written_once_at_their_time(people):
    start, end = next_slot()
    meeting = schedule(start=start, end=end)
    before = start - timedelta(days=1, minutes=-1)
    assert reminders_plan(now=before - timedelta(hours=1)).created == 0
    first = reminders_plan(now=before)
    assert first.created == len(rows(meeting, kind=Kind.INVITATION))
    assert reminders_plan(now=before + timedelta(minutes=1)).created == 0  # the same reminder: nothing new
    assert {row.reminder_minutes for row in rows(meeting, kind=Kind.REMINDER)} == {1440}
    second = reminders_plan(now=start - timedelta(minutes=29))
    assert second.created == first.created
    assert {row.reminder_minutes for row in rows(meeting, kind=Kind.REMINDER)} == {1440, 30}


@pytest.mark.integration
def test_a_moved_meeting_supersedes_its_pending_reminder_and_gets_one_for_the_new_time(people):
    start, end = next_slot()
    meeting = schedule(start=start, end=end)
    reminders_plan(now=start - timedelta(minutes=29))
    old = rows(meeting, kind=Kind.REMINDER)
    assert old
    sent_one = old[0]
    Notification.objects.filter(pk=sent_one.pk).update(state=State.SENT)  # one went out before the move

    new_start = start + timedelta(hours=5)
    meeting = meeting_reschedule(meeting=meeting, start=new_start, end=new_start + (end - start))
    assert {row.state for row in rows(meeting, kind=Kind.REMINDER, pk__in=[r.pk for r in old[1:]])} == {
        State.SUPERSEDED
    }
    assert Notification.objects.get(pk=sent_one.pk).state == State.SENT
    # At the old time, no reminder for the old start (it is now one day's reminder time for the new start);
    # at the new time, the 30-minute reminder for the new start, to everyone again.
    reminders_plan(now=start - timedelta(minutes=29))
    created = reminders_plan(now=new_start - timedelta(minutes=29)).created
    assert created == len(old)
    fresh = rows(meeting, kind=Kind.REMINDER, state=State.PENDING)
    assert {row.meeting_start for row in fresh} == {new_start}
    assert {row.reminder_minutes for row in fresh} == {1440, 30}
    assert not rows(meeting, kind=Kind.REMINDER, state=State.PENDING, meeting_start=start)


@pytest.mark.integration
def test_no_reminders_for_a_cancelled_meeting(people):
    start, end = next_slot()
    meeting = schedule(start=start, end=end)
    meeting_cancel(meeting=meeting)
    assert reminders_plan(now=start - timedelta(minutes=29)).created == 0
    assert Meeting.objects.get(pk=meeting.pk).is_cancelled
