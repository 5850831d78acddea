"""Handing work to Celery after a commit, the one way every service does it (DESIGN.md, "Side effects").

The row that describes the work is already committed when the task is sent; if the broker is away, sending fails
quietly (logged) and the periodic sweep of that kind of row sends it later. A broker outage therefore delays work
and never breaks the request that asked for it, nor loses anything.
"""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)

# One quick retry: a request must not hang on a dead broker; the sweep is the real retry.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def task_send(task, *args) -> bool:
    """Send now; False (logged) when the broker cannot take it."""
    try:
        task.apply_async(args=list(args), retry=True, retry_policy=PUBLISH_RETRY)
    except Exception as error:
        logger.warning("%s not sent (%s): the sweep will send it", task.name, error)
        return False
    return True


def task_send_on_commit(task, *args) -> None:
    """Send once the current transaction commits (ids and primitives only)."""
    transaction.on_commit(lambda: task_send(task, *args), robust=True)
