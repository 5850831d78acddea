"""Enqueueing: the ids of the rows to send, handed to the send task in batches once the transaction commits.
When the broker is down the rows stay pending and the sweep (delivery.py) enqueues them again: nothing is lost."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import transaction

from foundation.enqueue import task_send

from ..conf import setting

logger = logging.getLogger(__name__)

# Enqueueing when Redis is down must not hold a scheduler's request: one quick reconnect, then the sweep's job.


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
