"""Handing work to Celery after a commit, the one way every service does it (DESIGN.md, "Side effects").

The row that describes the work is already committed when the task is sent; if the broker is away, sending fails
quietly (logged) and the periodic sweep of that kind of row sends it later. A broker outage therefore delays work
and never breaks the request that asked for it, nor loses anything.

Tasks are sent by name, so a service never imports its tasks module: tasks sit above services (import-linter
checks it). Every app's tasks module is registered at start (PortalConfig.ready), so a name is looked up in
Celery's registry: a misspelt name fails at once, and with CELERY_TASK_ALWAYS_EAGER the task runs at once.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)

# One quick retry: a request must not hang on a dead broker; the sweep is the real retry.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def task_send(name: str, *args) -> bool:
    """Send the task of this name now; False (logged) when the broker cannot take it."""
    task = current_app.tasks[name]  # KeyError: no such task (a programming error, never a broker outage)
    try:
        task.apply_async(args=list(args), retry=True, retry_policy=PUBLISH_RETRY)
    except Exception as error:
        logger.warning("%s not sent (%s): the sweep will send it", name, error)
        return False
    return True


def task_send_on_commit(name: str, *args) -> None:
    """Send the task of this name once the current transaction commits (ids and primitives only)."""
    transaction.on_commit(lambda: task_send(name, *args), robust=True)
