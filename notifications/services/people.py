"""PDPA: a person's notifications, exported (what was sent to them) or erased (to whom, not that it was sent)."""

from __future__ import annotations

from django.db.models import Q

from ..models import Notification

# --- PDPA: a person's notifications ---------------------------------------------------------------------------


def person_notifications_export(user) -> dict:
    """What was sent to a person (PDPA export): rows addressed to their staff record or their email."""
    rows = Notification.objects.filter(Q(staff__user=user) | Q(address__iexact=user.email or "-")).order_by("pk")
    return {
        "notifications": [
            {
                "meeting": row.meeting_id, "kind": row.kind, "channel": row.channel, "address": row.address,
                "state": row.state, "sent_at": row.sent_at.isoformat() if row.sent_at else None,
            }
            for row in rows
        ]
    }


def person_notifications_erase(user) -> int:
    """Keep the fact that a notice was sent, not to whom: the address and name go, the dedupe key is kept unique."""
    rows = Notification.objects.filter(Q(staff__user=user) | Q(address__iexact=user.email or "-"))
    changed = 0
    for row in rows.only("pk"):
        Notification.objects.filter(pk=row.pk).update(
            address="erased", recipient_name="", staff=None, dedupe_key=f"erased:{row.pk}"
        )
        changed += 1
    return changed
