"""Reads of the portal's own rows: the audit log."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet

from .models import AuditEntry
from .thaidate import BANGKOK


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BANGKOK)


def audit_entries(
    *,
    action: str = "",
    actor: str = "",
    target_type: str = "",
    target_id: str = "",
    since: date | None = None,
    until: date | None = None,
    province_code: str,
) -> QuerySet[AuditEntry]:
    """The audit log of one province, newest first, narrowed by what is given: the action, the actor's username,
    what was acted on, and the days (Thailand time) from `since` to `until`, both included. One query per page
    (and one to count)."""
    entries = AuditEntry.objects.filter(province_code=province_code).order_by("-at", "-id")
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor_username=actor)
    if target_type:
        entries = entries.filter(target_type=target_type)
    if target_id:
        entries = entries.filter(target_id=target_id)
    if since is not None:
        entries = entries.filter(at__gte=_start_of(since))
    if until is not None:
        entries = entries.filter(at__lt=_start_of(until + timedelta(days=1)))
    return entries
