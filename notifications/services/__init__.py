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

One module a step: `planning` (the keys, the rows, the change notices and the reminders), `enqueueing` (the ids
handed to the send task once the transaction commits), `delivery` (delivering, the sweep, sending again),
`people` (PDPA: a person's notifications exported or erased). The names used elsewhere are re-exported here.
"""

from .delivery import (
    DeliveryReport,
    SweepReport,
    max_attempts,
    notification_resend,
    notifications_deliver,
    notifications_sweep,
)
from .enqueueing import enqueue_on_commit, notifications_enqueue
from .people import person_notifications_erase, person_notifications_export
from .planning import (
    RemindersReport,
    notice_key,
    notifications_for_meetings_plan,
    notifications_plan,
    reminder_due,
    reminder_key,
    reminders_plan,
)

__all__ = [
    "DeliveryReport",
    "RemindersReport",
    "SweepReport",
    "enqueue_on_commit",
    "max_attempts",
    "notice_key",
    "notification_resend",
    "notifications_deliver",
    "notifications_enqueue",
    "notifications_for_meetings_plan",
    "notifications_plan",
    "notifications_sweep",
    "person_notifications_erase",
    "person_notifications_export",
    "reminder_due",
    "reminder_key",
    "reminders_plan",
]
