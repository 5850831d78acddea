"""One meeting: scheduling it, rescheduling it, changing what it is about and who takes part, cancelling it.

Every function checks its input (checks.py) and raises a `ValidationError` keyed by the field at fault; nothing
is written when it does. Each write provisions or changes the meeting's room, ensures the sites' join passes and
plans the notifications, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from districts.models import Agency, Site
from foundation.audit import Action as AuditAction
from foundation.audit import audit_record
from join.services import join_passes_ensure, join_passes_revoke_agencies
from notifications.services import notifications_plan
from recordings.services import recording_plan

from ...models import AgencyInvitation, Meeting, Participation, Series
from ..rooms import room_change, room_create, room_retire
from .checks import (
    _check_agenda,
    _check_times,
    _clean_title,
    _guarded,
    _raise_clash,
    _resolve_agencies,
    _resolve_sites,
)

# --- writes ------------------------------------------------------------------------------------------------


def _participations(meeting: Meeting, sites: Sequence[Site]) -> list[Participation]:
    return [
        Participation(
            meeting=meeting,
            site=site,
            role=Participation.Role.HOST if site.pk == meeting.host_site_id else Participation.Role.PARTICIPANT,
            start=meeting.start,
            end=meeting.end,
            active=True,
        )
        for site in sites
    ]


def _meeting_write(
    *,
    title: str,
    agenda: list[str],
    host: Site,
    sites: Sequence[Site],
    agencies: Sequence[Agency],
    start: datetime,
    end: datetime,
    created_by,
    series: Series | None = None,
    occurrence: int | None = None,
    record: bool = True,
) -> Meeting:
    meeting = Meeting(
        title=title,
        agenda=agenda,
        host_site=host,
        start=start,
        end=end,
        series=series,
        occurrence=occurrence,
        created_by=created_by if getattr(created_by, "pk", None) else None,
    )
    # The related rows were loaded (and checked) above: no need to query each of them again.
    meeting.full_clean(exclude={"host_site", "series", "created_by"}, validate_constraints=False)
    meeting.save()
    Participation.objects.bulk_create(_participations(meeting, sites))
    if agencies:
        AgencyInvitation.objects.bulk_create([AgencyInvitation(meeting=meeting, agency=a) for a in agencies])
    room_create(meeting=meeting, participants=len(sites) + len(agencies))
    recording_plan(meeting=meeting, record=record)  # recorded as evidence unless the scheduler said not to
    join_passes_ensure(meeting=meeting)  # every invited site has its link before its invitation is written
    notifications_plan(meeting=meeting, change="invitation")
    audit_record(
        actor=created_by, action=AuditAction.CREATE, target=meeting,
        detail={"start": start.isoformat(), "end": end.isoformat(), "sites": [s.pk for s in sites]},
    )
    return meeting


@transaction.atomic
def meeting_schedule(
    *,
    title: str,
    host_site: Site | int,
    sites: Iterable[Site | int],
    agencies: Iterable[Agency | int] = (),
    start: datetime,
    end: datetime,
    agenda: list[str] | None = None,
    series: Series | None = None,
    created_by,
    record: bool = True,
) -> Meeting:
    """Schedule one meeting: its sites (the host is always one), agencies, and a room to be provisioned; recorded
    as evidence unless `record` is False (a secret meeting)."""
    title = _clean_title(title)
    agenda = _check_agenda(agenda)
    _check_times(start=start, end=end)
    host, all_sites = _resolve_sites(host_site=host_site, sites=sites, user=created_by)
    invited = _resolve_agencies(agencies, province_id=host.province_id)
    site_ids = [site.pk for site in all_sites]
    _raise_clash(site_ids=site_ids, windows=[(start, end)])
    return _guarded(
        lambda: _meeting_write(
            title=title, agenda=agenda, host=host, sites=all_sites, agencies=invited, start=start, end=end,
            created_by=created_by, series=series, record=record,
        ),
        site_ids=site_ids,
        windows=[(start, end)],
    )


def _locked(meeting: Meeting) -> Meeting:
    locked = Meeting.objects.select_for_update().select_related("host_site").get(pk=meeting.pk)
    if not locked.is_open:
        raise ValidationError(
            {"status": [_("การประชุมนี้%(status)sแล้ว: แก้ไขไม่ได้ นัดหมายใหม่แทน") % {"status": locked.get_status_display()}]}
        )
    return locked


@transaction.atomic
def meeting_reschedule(*, meeting: Meeting, start: datetime, end: datetime, by=None) -> Meeting:
    """Move a meeting (or one occurrence of a series, alone) to a new time; its room follows."""
    meeting = _locked(meeting)
    _check_times(start=start, end=end)
    if start == meeting.start and end == meeting.end:
        return meeting
    site_ids = list(meeting.participations.values_list("site_id", flat=True))
    _raise_clash(site_ids=site_ids, windows=[(start, end)], exclude_meeting_ids=[meeting.pk])

    def write() -> Meeting:
        meeting.start, meeting.end = start, end
        meeting.sequence += 1
        meeting.full_clean(exclude={"host_site", "series", "created_by"}, validate_constraints=False)
        meeting.save(update_fields=["start", "end", "sequence", "updated_at"])
        meeting.participations.update(start=start, end=end)
        room_change(meeting=meeting)
        join_passes_ensure(meeting=meeting)  # every invited site has its link before its invitation is written
        notifications_plan(meeting=meeting, change="update")
        audit_record(
            actor=by, action=AuditAction.UPDATE, target=meeting,
            detail={"rescheduled": {"start": start.isoformat(), "end": end.isoformat()}},
        )
        return meeting

    return _guarded(write, site_ids=site_ids, windows=[(start, end)], exclude_meeting_ids=[meeting.pk])


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    title: str | None = None,
    agenda: list[str] | None = None,
    sites: Iterable[Site | int] | None = None,
    agencies: Iterable[Agency | int] | None = None,
    by=None,
) -> Meeting:
    """Change what a meeting is about and who takes part (not when: see meeting_reschedule)."""
    meeting = _locked(meeting)
    changed: list[str] = []
    if title is not None and _clean_title(title) != meeting.title:
        meeting.title = _clean_title(title)
        changed.append("title")
    if agenda is not None:
        cleaned = _check_agenda(agenda)
        if cleaned != meeting.agenda:
            meeting.agenda = cleaned
            changed.append("agenda")
    site_ids = list(meeting.participations.values_list("site_id", flat=True))
    new_sites: list[Site] = []
    removed: set[int] = set()
    if sites is not None:
        _, all_sites = _resolve_sites(host_site=meeting.host_site_id, sites=sites, user=by or meeting.created_by)
        wanted = {site.pk for site in all_sites}
        new_sites = [site for site in all_sites if site.pk not in site_ids]
        removed = set(site_ids) - wanted
        _raise_clash(
            site_ids=[s.pk for s in new_sites], windows=[(meeting.start, meeting.end)], exclude_meeting_ids=[meeting.pk]
        )
    invited: list[Agency] | None = None
    if agencies is not None:
        invited = _resolve_agencies(agencies, province_id=meeting.host_site.province_id)
        current = set(meeting.agency_invitations.values_list("agency_id", flat=True))
        if current == {a.pk for a in invited}:
            invited = None
    if not changed and not new_sites and not removed and invited is None:
        return meeting

    def write() -> Meeting:
        meeting.sequence += 1
        meeting.full_clean(exclude={"host_site", "series", "created_by"}, validate_constraints=False)
        meeting.save(update_fields=[*changed, "sequence", "updated_at"])
        if removed:
            meeting.participations.filter(site_id__in=removed).delete()
        if new_sites:
            Participation.objects.bulk_create(_participations(meeting, new_sites))
        if invited is not None:
            meeting.agency_invitations.exclude(agency__in=invited).delete()
            current = set(meeting.agency_invitations.values_list("agency_id", flat=True))
            AgencyInvitation.objects.bulk_create(
                [AgencyInvitation(meeting=meeting, agency=a) for a in invited if a.pk not in current]
            )
        room_change(meeting=meeting)
        join_passes_ensure(meeting=meeting)  # every invited site has its link before its invitation is written
        notifications_plan(meeting=meeting, change="update")
        audit_record(actor=by, action=AuditAction.UPDATE, target=meeting, detail={"sequence": meeting.sequence})
        return meeting

    return _guarded(
        write, site_ids=[s.pk for s in new_sites], windows=[(meeting.start, meeting.end)],
        exclude_meeting_ids=[meeting.pk],
    )


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by=None, reason: str = "") -> Meeting:
    """Cancel a meeting (or one occurrence of a series, alone): its sites are free again, its room is removed. The
    reason (one line) goes with the cancellation notices."""
    meeting = _locked(meeting)
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = " ".join((reason or "").split())[:300]
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    meeting.participations.update(active=False)
    join_passes_revoke_agencies(meeting=meeting, reason="การประชุมถูกยกเลิก")  # the agencies' links die with it
    room_retire(meeting=meeting)
    notifications_plan(meeting=meeting, change="cancellation")
    audit_record(actor=by, action=AuditAction.CANCEL, target=meeting, detail={"reason": meeting.cancel_reason})
    return meeting
