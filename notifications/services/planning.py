"""Planning the rows: their keys, the change notices of a meeting and its reminders.

1. `notifications_plan` runs inside the transaction that scheduled, changed or cancelled a meeting. It writes one
   row per recipient and channel (a unique `dedupe_key`, so writing twice is harmless), supersedes the pending
   rows the change makes pointless, and enqueues the new ids once the transaction commits (enqueueing.py).
2. `reminders_plan` (periodic) writes the reminder rows of meetings whose reminder time has come.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from meetings.calendar import calendar_host
from meetings.models import Meeting

from ..conf import reminder_offsets, setting
from ..models import Notification, message_id_for
from ..selectors import Recipient, meeting_recipients
from .enqueueing import enqueue_on_commit

Kind, State, Channel_ = Notification.Kind, Notification.State, Notification.Channel
CHANGES = {"invitation", "update", "cancellation"}
OPEN_STATUSES = (Meeting.Status.SCHEDULED, Meeting.Status.READY, Meeting.Status.LIVE)
# The kinds that tell a recipient what the meeting is (a cancellation takes that back).
NOTICES = (Kind.INVITATION, Kind.UPDATE, Kind.CANCELLATION)


# --- keys --------------------------------------------------------------------------------------------------


def notice_key(*, meeting_id: int, sequence: int, channel: str, address: str) -> str:
    """One invitation, update or cancellation per recipient for each version of the meeting."""
    return f"m{meeting_id}/s{sequence}/{channel}:{address}"


def reminder_key(*, meeting_id: int, minutes: int, start: datetime, channel: str, address: str) -> str:
    """One reminder per recipient, offset and start time: a moved meeting has new keys for its new start."""
    return f"m{meeting_id}/r{minutes}@{start.astimezone(UTC):%Y%m%dT%H%M%SZ}/{channel}:{address}"


def _grace() -> timedelta:
    return timedelta(seconds=int(setting("PRACHUM_NOTIFICATION_SWEEP_GRACE_SECONDS")))


def _row(
    *, meeting: Meeting, recipient: Recipient, kind: str, key: str, now: datetime, minutes: int | None = None
) -> Notification:
    return Notification(
        meeting=meeting,
        kind=kind,
        reminder_minutes=minutes,
        channel=recipient.channel,
        audience=recipient.audience,
        address=recipient.address,
        recipient_name=recipient.name[:200],
        site_id=recipient.site_id,
        staff_id=recipient.staff_id,
        agency_id=recipient.agency_id,
        language=recipient.language,
        sequence=meeting.sequence,
        meeting_start=meeting.start,
        dedupe_key=key,
        message_id=message_id_for(key, calendar_host()),
        # The task is on its way; the sweep steps in only if nothing sent the row by then.
        next_attempt_at=now + _grace(),
    )


def _write(rows: Sequence[Notification]) -> list[int]:
    """Insert the rows (a key already there is left alone) and return the ids of those still to be sent."""
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    keys = [row.dedupe_key for row in rows]
    return list(
        Notification.objects.filter(dedupe_key__in=keys, state=State.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- planning the change notices ---------------------------------------------------------------------------


def _told(meeting: Meeting) -> dict[tuple[str, str], Notification]:
    """Recipients whose latest notice that went out (or is going out) says the meeting is on for them."""
    latest: dict[tuple[str, str], Notification] = {}
    for row in (
        Notification.objects.filter(meeting=meeting, kind__in=NOTICES, state__in=[State.SENT, State.SENDING])
        .only(
            "channel",
            "address",
            "audience",
            "kind",
            "sequence",
            "recipient_name",
            "language",
            "site_id",
            "staff_id",
            "agency_id",
        )
        .order_by("sequence", "pk")
    ):
        latest[(row.channel, row.address)] = row
    return {key: row for key, row in latest.items() if row.kind != Kind.CANCELLATION}


def _recipient_of(row: Notification) -> Recipient:
    return Recipient(
        row.channel,
        row.address,
        row.audience,
        row.recipient_name,
        row.language,
        row.site_id,
        row.staff_id,
        row.agency_id,
    )


def _supersede(rows, *, now: datetime, reason: str) -> int:
    return rows.filter(state=State.PENDING).update(
        state=State.SUPERSEDED, last_error=reason, next_attempt_at=None, updated_at=now
    )


def notifications_plan(*, meeting: Meeting, change: str, now: datetime | None = None) -> list[int]:
    """Write the notices of a change to `meeting` and enqueue them on commit. Call it inside the transaction
    that made the change (after it saved the meeting, its sites and agencies). Returns the new rows' ids.

    - "invitation": a new meeting; everyone gets an invitation.
    - "update": the meeting changed; recipients who were told get an update, new ones an invitation, those
      no longer taking part a cancellation; pending notices of older versions, and pending reminders for
      another start time or for people no longer taking part, are superseded.
    - "cancellation": every pending notice and reminder is superseded; those who were told get a cancellation.
    Pending rows are superseded before the told ones are read, so a worker cannot slip a notice out between.
    """
    if change not in CHANGES:
        raise ValueError(f"change must be one of {sorted(CHANGES)}, not {change!r}")
    now = now or timezone.now()
    of_meeting = Notification.objects.filter(meeting=meeting)
    recipients = [] if change == "cancellation" else meeting_recipients(meeting=meeting)
    current = {recipient.key for recipient in recipients}
    # Only notices of older versions: planning the same version twice must leave its own rows alone.
    older = of_meeting.filter(kind__in=NOTICES, sequence__lt=meeting.sequence)
    if change == "cancellation":
        _supersede(older, now=now, reason="การประชุมถูกยกเลิก")
        _supersede(of_meeting.filter(kind=Kind.REMINDER), now=now, reason="การประชุมถูกยกเลิก")
    elif change == "update":
        _supersede(older, now=now, reason=f"มีฉบับแก้ไขใหม่ (ลำดับที่ {meeting.sequence})")
        _supersede(
            of_meeting.filter(kind=Kind.REMINDER).exclude(meeting_start=meeting.start),
            now=now,
            reason="การประชุมเลื่อนเวลา: เตือนตามเวลาใหม่แทน",
        )
    told = _told(meeting) if change != "invitation" else {}

    rows: list[Notification] = []
    for recipient in recipients:
        kind = Kind.UPDATE if recipient.key in told else Kind.INVITATION
        key = notice_key(
            meeting_id=meeting.pk, sequence=meeting.sequence, channel=recipient.channel, address=recipient.address
        )
        rows.append(_row(meeting=meeting, recipient=recipient, kind=kind, key=key, now=now))
    gone = [row for key, row in told.items() if key not in current]
    for earlier in gone:
        recipient = _recipient_of(earlier)
        key = notice_key(
            meeting_id=meeting.pk, sequence=meeting.sequence, channel=recipient.channel, address=recipient.address
        )
        rows.append(_row(meeting=meeting, recipient=recipient, kind=Kind.CANCELLATION, key=key, now=now))
    if change == "update" and gone:
        stale = Q()
        for earlier in gone:
            stale |= Q(channel=earlier.channel, address=earlier.address)
        _supersede(of_meeting.filter(stale, kind=Kind.REMINDER), now=now, reason="ไม่อยู่ในรายชื่อผู้เข้าร่วมแล้ว")
    ids = _write(rows)
    enqueue_on_commit(ids)
    return ids


def notifications_for_meetings_plan(*, meetings: Iterable[Meeting], change: str) -> list[int]:
    """`notifications_plan` for several meetings (a series)."""
    ids: list[int] = []
    for meeting in meetings:
        ids += notifications_plan(meeting=meeting, change=change)
    return ids


# --- reminders ---------------------------------------------------------------------------------------------


def reminder_due(*, start: datetime, created_at: datetime, now: datetime, offsets: Sequence[int]) -> int | None:
    """The reminder (offset in minutes) a meeting needs at `now`, or None.

    Only the closest offset whose time has come, so a late run or a meeting scheduled at short notice sends one
    reminder, not two; none whose time was before the meeting was scheduled (its invitation is the notice);
    none once the meeting has started.
    """
    if now >= start:
        return None
    due = [minutes for minutes in offsets if start - timedelta(minutes=minutes) <= now]
    if not due:
        return None
    minutes = min(due)
    if start - timedelta(minutes=minutes) < created_at:
        return None
    return minutes


@dataclass
class RemindersReport:
    meetings: int = 0
    created: int = 0

    def as_dict(self) -> dict:
        return {"meetings": self.meetings, "created": self.created}


def reminders_plan(*, now: datetime | None = None) -> RemindersReport:
    """Write (and enqueue) the reminders whose time has come. Safe to run as often as wanted."""
    now = now or timezone.now()
    report = RemindersReport()
    offsets = reminder_offsets()
    if not offsets:
        return report
    candidates = list(
        Meeting.objects.filter(
            start__gt=now, start__lte=now + timedelta(minutes=max(offsets)), status__in=OPEN_STATUSES
        ).order_by("start", "pk")
    )
    planned = set(
        Notification.objects.filter(meeting__in=candidates, kind=Kind.REMINDER).values_list(
            "meeting_id", "reminder_minutes", "meeting_start"
        )
    )
    for meeting in candidates:
        minutes = reminder_due(start=meeting.start, created_at=meeting.created_at, now=now, offsets=offsets)
        if minutes is None or (meeting.pk, minutes, meeting.start) in planned:
            continue
        with transaction.atomic():
            locked = Meeting.objects.select_for_update().filter(pk=meeting.pk, status__in=OPEN_STATUSES).first()
            if locked is None or locked.start != meeting.start:
                continue  # cancelled or moved meanwhile: the next run sees its new state
            rows = [
                _row(
                    meeting=locked,
                    recipient=recipient,
                    kind=Kind.REMINDER,
                    minutes=minutes,
                    now=now,
                    key=reminder_key(
                        meeting_id=locked.pk,
                        minutes=minutes,
                        start=locked.start,
                        channel=recipient.channel,
                        address=recipient.address,
                    ),
                )
                for recipient in meeting_recipients(meeting=locked)
            ]
            ids = _write(rows)
            enqueue_on_commit(ids)
        report.meetings += 1
        report.created += len(ids)
    return report
