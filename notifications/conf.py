"""Settings of the notifications that the environment does not set, with their defaults (the project settings
may override any of them). The reminder offsets and the LINE account are read from the environment in
portal/settings/base.py, with their defaults written there once."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

DEFAULTS: dict[str, object] = {
    # Seconds to wait before each new attempt after a temporary error (SMTP 4xx, connection refused, timeout,
    # LINE 429/5xx); when they run out the notification is failed. Seven attempts in about an hour and a half.
    "PRACHUM_NOTIFICATION_BACKOFF": [5, 30, 120, 600, 1800, 3600],
    # How long a worker owns a notification it is sending. A row still `sending` after this (its worker died
    # between claiming it and recording the outcome) is sent again by the sweep.
    "PRACHUM_NOTIFICATION_LEASE_SECONDS": 120,
    # The sweep leaves alone rows younger than this: their task is on its way.
    "PRACHUM_NOTIFICATION_SWEEP_GRACE_SECONDS": 60,
    # Notifications per task message (one SMTP connection per batch).
    "PRACHUM_NOTIFICATION_BATCH_SIZE": 50,
    # Timeout of each call to the LINE Messaging API, in seconds.
    "LINE_API_TIMEOUT": 10.0,
}


def setting(name: str):
    """The project's setting of this name, or its default here (a KeyError names a setting that has neither)."""
    return getattr(settings, name) if hasattr(settings, name) else DEFAULTS[name]


def reminder_offsets() -> list[int]:
    """The reminder offsets in whole minutes, largest first (timedeltas are accepted too)."""
    minutes = set()
    for value in setting("PRACHUM_REMINDER_OFFSETS") or []:
        offset = int(value.total_seconds() // 60) if isinstance(value, timedelta) else int(value)
        if offset > 0:
            minutes.add(offset)
    return sorted(minutes, reverse=True)


def backoff() -> list[int]:
    return [max(0, int(seconds)) for seconds in setting("PRACHUM_NOTIFICATION_BACKOFF")]
