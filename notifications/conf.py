"""Settings of the notifications, with their defaults. The project settings may override any of them."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

DEFAULTS: dict[str, object] = {
    # Reminders before a meeting starts, in minutes (default: one day and 30 minutes before).
    "PRACHUM_REMINDER_OFFSETS": [24 * 60, 30],
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
    # LINE Messaging API (push to a site's LINE group through the province's official account).
    "LINE_CHANNEL_ACCESS_TOKEN": "",  # nosec B105  # no token by default: from the environment
    "LINE_API_BASE": "https://api.line.me",
    "LINE_API_TIMEOUT": 10.0,
}


def setting(name: str):
    return getattr(settings, name, DEFAULTS[name])


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
