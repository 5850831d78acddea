"""Writing the audit log. Services call `audit_record` inside their own transaction, so the entry and the change
it records are committed together or not at all."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from .models import AuditEntry

Action = AuditEntry.Action


def audit_record(
    *, actor, action: str, target: models.Model | None = None, detail: dict | None = None, province_code: str = ""
) -> AuditEntry:
    """Record what `actor` did. The entry belongs to `province_code`, or else to the actor's province (a province's
    staff); an operator's or the system's entry to none (only operators read those)."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        province_code=province_code or (_province_of(actor) if is_user else ""),
        actor=actor if is_user else None,
        actor_username=actor.get_username() if is_user else "",
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:300] if target is not None else "",
        detail=detail or {},
    )


def _province_of(user) -> str:
    """The code of the province of the user's staff row ("" without one). The foundation imports no app: the row is
    reached through the user's reverse relation (`staff`), as the sign-in backend has already read it."""
    staff = getattr(user, "_prachum_staff", None)
    if staff is None:
        try:
            staff = user.staff
        except ObjectDoesNotExist:
            return ""
    return staff.site.province.code if staff is not None else ""


def audit_pseudonymise(*, user) -> int:
    """A person's data was erased (PDPA): their entries stay, under a pseudonym (`erased-<id>`), and so do the
    entries about them. Returns how many entries changed."""
    pseudonym = f"erased-{user.pk}"
    changed = AuditEntry.objects.filter(actor_id=user.pk).update(actor_username=pseudonym)
    user_type = f"{user._meta.app_label}.{user._meta.object_name}"
    changed += AuditEntry.objects.filter(target_type=user_type, target_id=str(user.pk)).update(target_repr=pseudonym)
    return changed
