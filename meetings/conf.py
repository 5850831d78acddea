"""The meetings app's settings that the environment does not set, with their defaults (the project settings may
override any of them). What an operator sets (document size, room check hours, the reservation token) is read
from the environment in portal/settings/base.py, with its default written there once."""

from __future__ import annotations

from django.conf import settings

DEFAULTS: dict[str, object] = {
    # A series never yields more meetings than this (a daily series for a year would be 365 rows of mistakes).
    "MEETINGS_SERIES_MAX_OCCURRENCES": 60,
    # Seconds to wait before each new attempt after a temporary media-server error; then the room is failed.
    "MEETINGS_PROVISION_BACKOFF": [10, 30, 60, 300, 900],
    # Jitsi reservation API: how early before its start a room may be opened, and how long after its end it lives.
    "MEETINGS_JITSI_EARLY_MINUTES": 30,
    "MEETINGS_JITSI_GRACE_MINUTES": 30,
    # A Jitsi join token expires this long after its meeting's end (a meeting that runs a little over).
    "MEETINGS_JITSI_TOKEN_GRACE_MINUTES": 10,  # nosec B105  # minutes after the end, not a password
    # A room moved off a failing server goes only to a server of the kind it was first placed on (the sites'
    # pages expect it); True lets it go to a server of another kind when none of its own has room.
    "MEETINGS_ROOM_KIND_FALLBACK": False,
    # A server counts as failing (its open rooms move elsewhere) after this many failed health checks in a row
    # (one a minute): a single timeout never breaks the meetings on it (Scalelite waits for two as well).
    "MEETINGS_SERVER_DOWN_AFTER_CHECKS": 2,
    # Timeout of every call to a media server, in seconds.
    "MEETINGS_MEDIA_TIMEOUT": 5.0,
}


def setting(name: str):
    """The project's setting of this name, or its default here (a KeyError names a setting that has neither)."""
    return getattr(settings, name) if hasattr(settings, name) else DEFAULTS[name]
