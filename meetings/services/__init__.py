"""Every write of the meetings app. Views, the API and tasks call these; nothing else writes the models.

Scheduling (meetings.services.scheduling) and the Jitsi reservations (meetings.services.reservations) stand one
level up, above join and notifications, and are imported by their module names: the rooms and documents below are
what join and notifications build on."""

from .documents import document_attach
from .rooms import (
    ProvisionResult,
    SweepReport,
    room_change,
    room_create,
    room_provision,
    room_provision_with_due,
    room_retire,
    rooms_provision,
    rooms_sweep,
    server_check,
    server_place,
    servers_check,
)

__all__ = [
    "ProvisionResult",
    "SweepReport",
    "document_attach",
    "room_change",
    "room_create",
    "room_provision",
    "room_provision_with_due",
    "room_retire",
    "rooms_provision",
    "rooms_sweep",
    "server_check",
    "server_place",
    "servers_check",
]
