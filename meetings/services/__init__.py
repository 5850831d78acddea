"""Every write of the meetings app. Views, the API and tasks call these; nothing else writes the models."""

from .documents import document_attach
from .rooms import (
    ProvisionResult,
    SweepReport,
    room_change,
    room_create,
    room_provision,
    room_retire,
    rooms_sweep,
    server_check,
    server_place,
    servers_check,
)
from .scheduling import (
    meeting_cancel,
    meeting_reschedule,
    meeting_schedule,
    meeting_update,
    occurrence_cancel,
    occurrence_move,
    series_cancel,
    series_occurrences,
    series_schedule,
    site_label,
    when_text,
)

__all__ = [
    "ProvisionResult",
    "SweepReport",
    "document_attach",
    "meeting_cancel",
    "meeting_reschedule",
    "meeting_schedule",
    "meeting_update",
    "occurrence_cancel",
    "occurrence_move",
    "room_change",
    "room_create",
    "room_provision",
    "room_retire",
    "rooms_sweep",
    "series_cancel",
    "series_occurrences",
    "series_schedule",
    "server_check",
    "server_place",
    "servers_check",
    "site_label",
    "when_text",
]
