"""Delivering the rows, the sweep, and sending one again.

1. `notifications_deliver` (the send task) claims each row with one conditional UPDATE (pending, or sending with
   an expired lease -> sending with a new lease and token), sends it, and records the outcome right away, one
   row at a time: a second delivery of the same task message finds the row taken or done and skips it.
   Temporary errors put the row back to pending with a back-off; permanent ones, or the last attempt, fail it.
2. `notifications_sweep` (periodic) hands rows whose worker died mid-send (expired lease) back to pending and
   re-enqueues pending rows nobody picked up (a lost message, Redis down when the meeting was scheduled).
3. `notification_resend` writes a new row with the same recipient and kind ("send again").
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from districts.models import Staff
from meetings.models import AgencyInvitation, Participation

from ..channels import Channel, PermanentDeliveryError, TemporaryDeliveryError, channel_for
from ..conf import backoff, setting
from ..content import notification_message
from ..models import Notification
from ..selectors import join_tokens, notifications_for_delivery
from .enqueueing import enqueue_on_commit
from .planning import OPEN_STATUSES, Kind, State, _grace, _recipient_of, _row

logger = logging.getLogger(__name__)


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
    tokens = join_tokens(
        pairs={(row.meeting_id, row.site_id) for row in rows if row.site_id},
        agency_pairs={(row.meeting_id, row.agency_id) for row in rows if row.agency_id and not row.site_id},
    )
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
def _still_invited(row: Notification) -> bool:
    """Whether the row's recipient still takes part in its meeting (its site or agency, or the staff's site)."""
    meeting = row.meeting
    if row.agency_id is not None:
        return AgencyInvitation.objects.filter(meeting=meeting, agency_id=row.agency_id).exists()
    site_id = row.site_id
    if site_id is None and row.staff_id is not None:
        site_id = Staff.objects.filter(pk=row.staff_id).values_list("site_id", flat=True).first()
    if site_id is None or site_id == meeting.host_site_id:
        return True
    return Participation.objects.filter(meeting=meeting, site_id=site_id).exists()


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
    if original.kind != Kind.CANCELLATION and not _still_invited(original):
        # It was sent a cancellation when it was taken off: an invitation at the same sequence would put the
        # meeting back in its calendar.
        raise ValidationError(
            "ผู้รับนี้ถูกนำออกจากการประชุมแล้ว (ได้รับแจ้งยกเลิกไปแล้ว): ส่งคำเชิญซ้ำไม่ได้ "
            "หากต้องการเชิญอีกครั้ง ให้เพิ่มกลับเข้าในการประชุมก่อน"
        )
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
