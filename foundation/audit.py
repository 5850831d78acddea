"""Writing the audit log. Services call `audit_record` inside their own transaction, so the entry and the change
it records are committed together or not at all."""

from __future__ import annotations

from django.db import models

from .models import AuditEntry

Action = AuditEntry.Action


def audit_record(
    *, actor, action: str, target: models.Model | None = None, detail: dict | None = None
) -> AuditEntry:
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if is_user else None,
        actor_username=actor.get_username() if is_user else "",
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:300] if target is not None else "",
        detail=detail or {},
    )
