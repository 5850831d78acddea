"""The meetings app's settings, with their defaults. The project settings may override any of them."""

from __future__ import annotations

from django.conf import settings

DEFAULTS: dict[str, object] = {
    # Documents a site may present: the kinds and the largest file.
    "MEETINGS_DOCUMENT_MAX_BYTES": 200 * 1024 * 1024,
    # A series never yields more meetings than this (a daily series for a year would be 365 rows of mistakes).
    "MEETINGS_SERIES_MAX_OCCURRENCES": 60,
    # The sweep checks that the rooms of meetings starting within this many hours exist on their servers.
    "MEETINGS_ROOM_CHECK_HOURS": 6,
    # Seconds to wait before each new attempt after a temporary media-server error; then the room is failed.
    "MEETINGS_PROVISION_BACKOFF": [10, 30, 60, 300, 900],
    # Janus room numbers are this plus the meeting's id: stable, unique on every server, never 0.
    "MEETINGS_ROOM_NUMBER_BASE": 100_000,
    # Jitsi reservation API: how early before its start a room may be opened, and how long after its end it lives.
    "MEETINGS_JITSI_EARLY_MINUTES": 30,
    "MEETINGS_JITSI_GRACE_MINUTES": 30,
    # The shared token in the reservation API's URL (Prosody's reservations_api_prefix). Empty: endpoint refused.
    "MEETINGS_JITSI_RESERVATION_TOKEN": "",  # nosec B105  # no token by default: from the environment
    # Timeout of every call to a media server, in seconds.
    "MEETINGS_MEDIA_TIMEOUT": 5.0,
}


def setting(name: str):
    return getattr(settings, name, DEFAULTS[name])
