"""Every write of the notifications: planning the rows, delivering them, the sweep, reminders, sending again.

The row is the truth (DESIGN.md, "Side effects"):

1. `notifications_plan` runs inside the transaction that scheduled, changed or cancelled a meeting. It writes one
   row per recipient and channel (a unique `dedupe_key`, so writing twice is harmless), supersedes the pending
   rows the change makes pointless, and enqueues the new ids once the transaction commits.
2. `notifications_deliver` (the send task) claims each row with one conditional UPDATE (pending, or sending with
   an expired lease -> sending with a new lease and token), sends it, and records the outcome right away, one
   row at a time: a second delivery of the same task message finds the row taken or done and skips it.
   Temporary errors put the row back to pending with a back-off; permanent ones, or the last attempt, fail it.
3. `notifications_sweep` (periodic) hands rows whose worker died mid-send (expired lease) back to pending and
   re-enqueues pending rows nobody picked up (a lost message, Redis down when the meeting was scheduled).
4. `reminders_plan` (periodic) writes the reminder rows of meetings whose reminder time has come.

Guarantee: no notification is lost while its row exists. A message can go out twice only when a worker dies
after the SMTP server accepted it and before its row was marked sent (at most one message per killed worker
process, since each process sends one message at a time and records it at once); both copies carry the same
Message-ID (and the same calendar UID and SEQUENCE), so a mail store or calendar can tell them apart. LINE pushes
carry a retry key that LINE accepts once, so a re-sent push is recorded as sent without a second message.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from foundation.enqueue import task_send
from meetings.calendar import calendar_host
from meetings.models import Meeting

from .channels import Channel, PermanentDeliveryError, TemporaryDeliveryError, channel_for
from .conf import backoff, reminder_offsets, setting
from .content import notification_message
from .models import Notification, message_id_for
from .selectors import Recipient, join_tokens, meeting_recipients, notifications_for_delivery

logger = logging.getLogger(__name__)

Kind, State, Channel_ = Notification.Kind, Notification.State, Notification.Channel
CHANGES = {"invitation", "update", "cancellation"}
OPEN_STATUSES = (Meeting.Status.SCHEDULED, Meeting.Status.READY, Meeting.Status.LIVE)
# The kinds that tell a recipient what the meeting is (a cancellation takes that back).
NOTICES = (Kind.INVITATION, Kind.UPDATE, Kind.CANCELLATION)
# Enqueueing when Redis is down must not hold a scheduler's request: one quick reconnect, then the sweep's job.


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


# --- enqueueing --------------------------------------------------------------------------------------------


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    size = max(1, int(setting("PRACHUM_NOTIFICATION_BATCH_SIZE")))
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


def notifications_enqueue(*, ids: Sequence[int]) -> int:
    """Send the send task for these ids, in batches. Returns how many batches the broker took; when it is down,
    the rest are left to the sweep (their rows are pending: nothing is lost)."""
    batches = _chunks(list(ids))
    for done, batch in enumerate(batches):
        if not task_send("meetings.notifications.send", batch):
            logger.warning("notifications: %d batch(es) left for the sweep", len(batches) - done)
            return done
    return len(batches)


def enqueue_on_commit(ids: Sequence[int]) -> None:
    """Enqueue once the current transaction commits; a broker failure never undoes or breaks the caller."""
    ids = list(ids)
    if ids:
        transaction.on_commit(lambda: notifications_enqueue(ids=ids), robust=True)


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


# --- delivering --------------------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    superseded: int = 0
    skipped: int = 0
    retries: list[tuple[list[int], int]] = field(default_factory=list)  # (ids, seconds from now)

    def as_dict(self) -> dict:
        return {
            "sent": self.sent,
            "failed": self.failed,
            "superseded": self.superseded,
            "skipped": self.skipped,
            "deferred": sum(len(ids) for ids, _delay in self.retries),
        }


def max_attempts() -> int:
    return len(backoff()) + 1


def _lease() -> timedelta:
    return timedelta(seconds=int(setting("PRACHUM_NOTIFICATION_LEASE_SECONDS")))


def _claim(row: Notification, *, now: datetime) -> str | None:
    """pending (or sending with an expired lease) -> sending, ours until the lease ends. None: not ours."""
    token = secrets.token_hex(16)
    claimable = Q(state=State.PENDING) | Q(state=State.SENDING, lease_until__lt=now)
    taken = Notification.objects.filter(claimable, pk=row.pk, attempts__lt=max_attempts()).update(
        state=State.SENDING, lease_until=now + _lease(), lease_token=token, attempts=F("attempts") + 1, updated_at=now
    )
    if not taken:
        return None
    row.attempts += 1
    return token


def _finish(row: Notification, token: str, **values) -> bool:
    """Record the outcome of our claim; False when the lease was lost meanwhile (someone else owns it now)."""
    values.setdefault("updated_at", timezone.now())
    done = Notification.objects.filter(pk=row.pk, state=State.SENDING, lease_token=token).update(
        lease_until=None, lease_token="", **values  # nosec B106  # not a secret: the lease is released
    )
    if not done:
        logger.warning("notification %s: lease lost before its outcome was recorded", row.pk)
    return bool(done)


def _pointless(row: Notification) -> str:
    """Why this row need not be sent any more ("" when it must be)."""
    meeting = row.meeting
    if row.kind == Kind.REMINDER:
        if meeting.status not in OPEN_STATUSES:
            return "การประชุมไม่ได้เปิดอยู่แล้ว"
        if meeting.start != row.meeting_start:
            return "การประชุมเลื่อนเวลา: เตือนตามเวลาใหม่แทน"
        if meeting.start <= timezone.now():
            return "การประชุมเริ่มไปแล้ว"
    elif row.kind in (Kind.INVITATION, Kind.UPDATE) and meeting.is_cancelled:
        return "การประชุมถูกยกเลิก"
    return ""


def _error_text(error: BaseException) -> str:
    return (str(error) or type(error).__name__)[:500]


def notifications_deliver(*, ids: Sequence[int]) -> DeliveryReport:
    """Send these rows, each at most once at a time, recording each outcome as soon as it is known.

    One connection per channel for the batch. After a temporary error the rest of that channel's rows are put
    off with the same back-off (the server is refusing: no point hammering it); other channels go on.
    """
    report = DeliveryReport()
    rows = notifications_for_delivery(ids=ids)
    tokens = join_tokens(pairs={(row.meeting_id, row.site_id) for row in rows if row.site_id})
    channels: dict[str, Channel] = {}
    held: dict[str, tuple[list[int], int]] = {}  # channel -> (ids put off, delay)
    try:
        for row in rows:
            if row.channel in held:
                held[row.channel][0].append(row.pk)
                continue
            outcome, delay = _deliver_one(row, channels=channels, tokens=tokens)
            if outcome == "retry":
                held[row.channel] = ([row.pk], delay)
            else:
                setattr(report, outcome, getattr(report, outcome) + 1)
    finally:
        for channel in channels.values():
            channel.close()
    for channel_ids, delay in held.values():
        # Those not yet tried keep their attempts; they wait as long as the one that failed.
        Notification.objects.filter(pk__in=channel_ids[1:], state=State.PENDING).update(
            next_attempt_at=timezone.now() + timedelta(seconds=delay) + _grace()
        )
        report.retries.append((channel_ids, delay))
    return report


def _deliver_one(row: Notification, *, channels: dict[str, Channel], tokens: dict) -> tuple[str, int]:
    """Claim, send and record one row. Returns (sent | failed | superseded | skipped | retry, delay)."""
    token = _claim(row, now=timezone.now())
    if token is None:
        return "skipped", 0
    reason = _pointless(row)
    if reason:
        _finish(row, token, state=State.SUPERSEDED, last_error=reason, next_attempt_at=None)
        return "superseded", 0
    try:
        message = notification_message(row, join_tokens=tokens)
        channel = channels.get(row.channel)
        if channel is None:
            channel = channels[row.channel] = channel_for(row.channel)
        reference = channel.send(message)
    except TemporaryDeliveryError as error:
        delay = _defer(row, token, error)
        return ("failed", 0) if delay is None else ("retry", delay)
    except PermanentDeliveryError as error:
        _finish(row, token, state=State.FAILED, last_error=_error_text(error), next_attempt_at=None)
        return "failed", 0
    except Exception as error:  # a bug building this one message must not stop the others
        logger.exception("notification %s could not be built or sent", row.pk)
        _finish(row, token, state=State.FAILED, last_error=_error_text(error), next_attempt_at=None)
        return "failed", 0
    _finish(
        row,
        token,
        state=State.SENT,
        sent_at=timezone.now(),
        last_error="",
        provider_reference=str(reference)[:200],
        next_attempt_at=None,
    )
    return "sent", 0


def _defer(row: Notification, token: str, error: BaseException) -> int | None:
    """Back to pending with the next back-off; failed when this was the last attempt. Returns the delay."""
    delays = backoff()
    if row.attempts > len(delays):
        _finish(
            row,
            token,
            state=State.FAILED,
            next_attempt_at=None,
            last_error=f"ส่งไม่สำเร็จหลังลอง {row.attempts} ครั้ง: {_error_text(error)}"[:500],
        )
        return None
    delay = delays[row.attempts - 1]
    _finish(
        row,
        token,
        state=State.PENDING,
        last_error=_error_text(error),
        next_attempt_at=timezone.now() + timedelta(seconds=delay) + _grace(),
    )
    return delay


# --- the sweep ---------------------------------------------------------------------------------------------


@dataclass
class SweepReport:
    released: int = 0
    failed: int = 0
    enqueued: int = 0

    def as_dict(self) -> dict:
        return {"released": self.released, "failed": self.failed, "enqueued": self.enqueued}


def notifications_sweep(*, now: datetime | None = None, limit: int = 10_000) -> SweepReport:
    """Periodic: what a dead worker left `sending` goes back to pending (or fails after its last attempt), and
    pending rows that nobody sent by their time are enqueued again."""
    now = now or timezone.now()
    report = SweepReport()
    expired = Notification.objects.filter(state=State.SENDING, lease_until__lt=now)
    report.failed = expired.filter(attempts__gte=max_attempts()).update(
        state=State.FAILED,
        lease_until=None,
        lease_token="",  # nosec B106  # not a secret: the lease is released
        next_attempt_at=None,
        updated_at=now,
        last_error="ส่งไม่สำเร็จ: ผู้ส่งหยุดทำงานระหว่างส่งทุกครั้งที่ลอง",
    )
    report.released = expired.update(
        state=State.PENDING,
        lease_until=None,
        lease_token="",  # nosec B106  # not a secret: the lease is released
        next_attempt_at=now,
        updated_at=now,
        last_error="ผู้ส่งหยุดทำงานระหว่างส่ง: ส่งอีกครั้ง (ผู้รับอาจได้รับฉบับเดียวกันซ้ำ)",
    )
    with transaction.atomic():
        due = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(state=State.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        # Their task is on its way: the next sweeps leave them alone for a while.
        Notification.objects.filter(pk__in=due).update(next_attempt_at=now + _grace())
        enqueue_on_commit(sorted(due))
    report.enqueued = len(due)
    return report


# --- sending again -----------------------------------------------------------------------------------------


@transaction.atomic
def notification_resend(*, notification: Notification, by=None, expected_resends: int | None = None) -> Notification:
    """A new row with the same recipient and kind, sent with the meeting as it is now ("send again").

    `expected_resends` is how many times the page showed it had been sent again: a double click, or two people
    pressing at once, sends it once.
    """
    original = Notification.objects.select_for_update().select_related("meeting").get(pk=notification.pk)
    if original.state in (State.PENDING, State.SENDING):
        raise ValidationError("การแจ้งเตือนนี้กำลังรอส่งอยู่แล้ว: ไม่ต้องส่งซ้ำ")
    meeting = original.meeting
    if original.kind != Kind.CANCELLATION and meeting.is_cancelled:
        raise ValidationError("การประชุมนี้ถูกยกเลิกแล้ว: ส่งได้เฉพาะการแจ้งยกเลิก")
    resends = original.resends.count()
    if expected_resends is not None and expected_resends != resends:
        raise ValidationError("มีผู้กดส่งอีกครั้งไปแล้ว: ดูรายการล่าสุดด้านบน")
    key = f"{original.dedupe_key}/again{resends + 1}"
    now = timezone.now()
    recipient = _recipient_of(original)
    row = _row(
        meeting=meeting, recipient=recipient, kind=original.kind, key=key, now=now, minutes=original.reminder_minutes
    )
    row.resend_of = original
    row.requested_by = by if getattr(by, "pk", None) else None
    row.full_clean(exclude={"meeting", "site", "staff", "agency", "resend_of", "requested_by"})
    row.save()
    enqueue_on_commit([row.pk])
    return row


def notifications_for_meetings_plan(*, meetings: Iterable[Meeting], change: str) -> list[int]:
    """`notifications_plan` for several meetings (a series)."""
    ids: list[int] = []
    for meeting in meetings:
        ids += notifications_plan(meeting=meeting, change=change)
    return ids


# --- PDPA: a person's notifications ---------------------------------------------------------------------------


def person_notifications_export(user) -> dict:
    """What was sent to a person (PDPA export): rows addressed to their staff record or their email."""
    rows = Notification.objects.filter(Q(staff__user=user) | Q(address__iexact=user.email or "-")).order_by("pk")
    return {
        "notifications": [
            {
                "meeting": row.meeting_id, "kind": row.kind, "channel": row.channel, "address": row.address,
                "state": row.state, "sent_at": row.sent_at.isoformat() if row.sent_at else None,
            }
            for row in rows
        ]
    }


def person_notifications_erase(user) -> int:
    """Keep the fact that a notice was sent, not to whom: the address and name go, the dedupe key is kept unique."""
    rows = Notification.objects.filter(Q(staff__user=user) | Q(address__iexact=user.email or "-"))
    changed = 0
    for row in rows.only("pk"):
        Notification.objects.filter(pk=row.pk).update(
            address="erased", recipient_name="", staff=None, dedupe_key=f"erased:{row.pk}"
        )
        changed += 1
    return changed
