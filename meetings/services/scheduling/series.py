"""Series: the dates of a daily or weekly series, scheduling one (a meeting with its own room per occurrence,
all checked before any is saved), moving or cancelling one occurrence alone, editing or cancelling this occurrence
and the following ones (or every one not yet held)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from districts.models import Agency, Site
from foundation.audit import Action as AuditAction
from foundation.audit import audit_record
from foundation.thaidate import BANGKOK
from join.services import join_passes_ensure
from notifications.services import notifications_plan

from ...conf import setting
from ...models import AgencyInvitation, Meeting, Participation, Series
from ..rooms import room_change
from .checks import (
    _check_agenda,
    _check_times,
    _clash_messages,
    _clean_title,
    _guarded,
    _ids,
    _raise_clash,
    _resolve_agencies,
    _resolve_sites,
    date_text,
)
from .meeting import _locked, _meeting_write, _participations, meeting_cancel, meeting_reschedule


@dataclass(frozen=True)
class Occurrence:
    start: datetime
    end: datetime


def series_occurrences(
    *, start: datetime, end: datetime, frequency: str, until: date | None = None, count: int | None = None
) -> list[Occurrence]:
    """The dates of a series, at the same Bangkok wall-clock time. Refuses a series without an end."""
    if until is None and not count:
        raise ValidationError(
            {"until": [_("ชุดการประชุมต้องมีจุดสิ้นสุด: ระบุ “ถึงวันที่” หรือ “จำนวนครั้ง” อย่างใดอย่างหนึ่ง")]}
        )
    if frequency not in Series.Frequency.values:
        raise ValidationError({"frequency": [_("ความถี่ต้องเป็น “ทุกวัน” หรือ “ทุกสัปดาห์”")]})
    cap = int(setting("MEETINGS_SERIES_MAX_OCCURRENCES"))
    if count is not None and (count < 1 or count > cap):
        raise ValidationError({"count": [_("จำนวนครั้งต้องอยู่ระหว่าง 1 ถึง %(cap)d") % {"cap": cap}]})
    step = timedelta(days=1 if frequency == Series.Frequency.DAILY else 7)
    duration = end - start
    if duration >= step:
        raise ValidationError({"end": [_("การประชุมแต่ละครั้งยาวกว่ารอบของชุด ทำให้ทับกันเอง: ตรวจเวลาสิ้นสุด")]})
    local_start = start.astimezone(BANGKOK)
    if until is not None and until < local_start.date():
        raise ValidationError(
            {"until": [_("“ถึงวันที่” (%(until)s) อยู่ก่อนวันเริ่ม (%(start)s): เลือกวันที่หลังวันเริ่ม")
                       % {"until": date_text(until), "start": date_text(local_start)}]}
        )
    occurrences: list[Occurrence] = []
    while True:
        occurrence_start = local_start + step * len(occurrences)
        if until is not None and occurrence_start.date() > until:
            break
        if count is not None and len(occurrences) >= count:
            break
        if len(occurrences) >= cap:
            raise ValidationError(
                {"until": [_("ชุดการประชุมมีได้ไม่เกิน %(cap)d ครั้ง: เลื่อน “ถึงวันที่” ให้เร็วขึ้น หรือระบุจำนวนครั้ง")
                           % {"cap": cap}]}
            )
        occurrences.append(Occurrence(occurrence_start, occurrence_start + duration))
    return occurrences


@transaction.atomic
def series_schedule(
    *,
    title: str,
    host_site: Site | int,
    sites: Iterable[Site | int],
    agencies: Iterable[Agency | int] = (),
    start: datetime,
    end: datetime,
    frequency: str,
    until: date | None = None,
    count: int | None = None,
    agenda: list[str] | None = None,
    created_by,
    record: bool = True,
) -> Series:
    """A daily or weekly series: one meeting (with its own room) per occurrence, all checked before any is saved."""
    title = _clean_title(title)
    agenda = _check_agenda(agenda)
    _check_times(start=start, end=end)
    occurrences = series_occurrences(start=start, end=end, frequency=frequency, until=until, count=count)
    host, all_sites = _resolve_sites(host_site=host_site, sites=sites, user=created_by)
    invited = _resolve_agencies(agencies, province_id=host.province_id)
    site_ids = [site.pk for site in all_sites]
    windows = [(o.start, o.end) for o in occurrences]
    _raise_clash(site_ids=site_ids, windows=windows)

    def write() -> Series:
        series = Series(
            title=title,
            frequency=frequency,
            until=until,
            count=count,
            created_by=created_by if getattr(created_by, "pk", None) else None,
        )
        series.full_clean(exclude={"created_by"})
        series.save()
        for index, occurrence in enumerate(occurrences, start=1):
            _meeting_write(
                title=title, agenda=agenda, host=host, sites=all_sites, agencies=invited, start=occurrence.start,
                end=occurrence.end, created_by=created_by, series=series, occurrence=index, record=record,
            )
        return series

    return _guarded(write, site_ids=site_ids, windows=windows)


def _occurrence(meeting: Meeting) -> Meeting:
    if meeting.series_id is None:
        raise ValidationError(
            {"series": [_("การประชุมนี้ไม่ได้อยู่ในชุดการประชุม: แก้ไขหรือยกเลิกได้เฉพาะครั้งนี้ (scope “one”)")]}
        )
    return meeting


def occurrence_move(*, meeting: Meeting, start: datetime, end: datetime, by=None) -> Meeting:
    """Move one occurrence of a series; the other occurrences stay where they are."""
    return meeting_reschedule(meeting=_occurrence(meeting), start=start, end=end, by=by)


def occurrence_cancel(*, meeting: Meeting, by=None) -> Meeting:
    """Cancel one occurrence of a series; the other occurrences still take place."""
    return meeting_cancel(meeting=_occurrence(meeting), by=by)


@transaction.atomic
def series_cancel(*, series: Series, by=None, reason: str = "", since: Meeting | None = None) -> int:
    """Cancel every occurrence of a series that has not started yet (or, with `since`, that occurrence and the ones
    after it), each with the reason. Returns how many were cancelled."""
    now = timezone.now()
    cancelled = 0
    occurrences = series.meetings.filter(start__gt=now)
    if since is not None:
        occurrences = occurrences.filter(start__gte=since.start)
    for meeting in occurrences.exclude(status__in=[Meeting.Status.CANCELLED, Meeting.Status.ENDED]).order_by("start"):
        meeting_cancel(meeting=meeting, by=by, reason=reason)
        cancelled += 1
    return cancelled


class Scope:
    """Which occurrences an edit of a series changes."""

    ONE = "one"  # this occurrence alone
    FOLLOWING = "following"  # this occurrence and every later one
    ALL = "all"  # every occurrence not yet held

    values = (ONE, FOLLOWING, ALL)


@dataclass(frozen=True)
class _Edit:
    """What an edit of a series asks for, checked once (None: left as each occurrence has it)."""

    title: str | None
    agenda: list[str] | None
    start_time: time | None
    duration: timedelta | None
    host: Site | None
    listed: list[int] | None  # the sites asked for, besides each occurrence's host
    pool: dict[int, Site]
    agencies: list[Agency] | None


@dataclass
class _Change:
    meeting: Meeting
    start: datetime
    end: datetime
    host: Site
    site_ids: list[int]
    added: list[int]
    removed: set[int]
    fields: list[str]
    agencies_had: set[int]


def _targets(*, meeting: Meeting, scope: str, now: datetime) -> list[Meeting]:
    """The occurrences an edit of `scope` changes, locked: never one that has started, ended or been cancelled."""
    if scope not in Scope.values:
        raise ValidationError(
            {"scope": [_("ขอบเขตการแก้ไขต้องเป็น “one” (ครั้งนี้), “following” (ครั้งนี้และครั้งต่อ ๆ ไป) "
                         "หรือ “all” (ทุกครั้งที่ยังไม่ถึงเวลา)")]}
        )
    if scope == Scope.ONE:
        locked = _locked(meeting)
        if locked.end <= now:
            raise ValidationError(
                {"status": [_("การประชุมนี้จบไปแล้วเมื่อ %(end)s: แก้ไขไม่ได้ นัดหมายใหม่แทน")
                            % {"end": date_text(locked.end, with_time=True)}]}
            )
        return [locked]
    _occurrence(meeting)
    occurrences = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("host_site", "series")
        .filter(series_id=meeting.series_id, start__gt=now)
        .exclude(status__in=[Meeting.Status.CANCELLED, Meeting.Status.ENDED, Meeting.Status.LIVE])
    )
    if scope == Scope.FOLLOWING:
        occurrences = occurrences.filter(start__gte=meeting.start)
    targets = list(occurrences.order_by("start", "pk"))
    if not targets:
        raise ValidationError(
            {"scope": [_("ไม่มีการประชุมในชุดนี้ที่ยังไม่ถึงเวลาให้แก้ไข: การประชุมที่ผ่านไปแล้วหรือยกเลิกแล้วแก้ไขไม่ได้")]}
        )
    return targets


def _edit(
    *, meeting: Meeting, targets: list[Meeting], title, agenda, start_time, duration, host_site, sites, agencies, by
) -> _Edit:
    if duration is not None and duration <= timedelta(0):
        raise ValidationError({"end": [_("เวลาสิ้นสุดต้องหลังเวลาเริ่ม: แก้เวลาสิ้นสุดให้หลังเวลาเริ่ม")]})
    series = targets[0].series if targets[0].series_id else None
    if series is not None and duration is not None:
        step = timedelta(days=1 if series.frequency == Series.Frequency.DAILY else 7)
        if duration >= step:
            raise ValidationError({"end": [_("การประชุมแต่ละครั้งยาวกว่ารอบของชุด ทำให้ทับกันเอง: ตรวจเวลาสิ้นสุด")]})
    user = by or meeting.created_by
    host: Site | None = None
    listed: list[int] | None = None
    pool: dict[int, Site] = {}
    if sites is not None:
        sites = list(sites)
        resolved_host, resolved = _resolve_sites(
            host_site=host_site if host_site is not None else meeting.host_site_id, sites=sites, user=user
        )
        asked = set(_ids(sites, _("สถานที่"), "sites"))
        host = resolved_host if host_site is not None else None
        listed = [site.pk for site in resolved if site.pk in asked]
        pool = {site.pk: site for site in resolved}
    elif host_site is not None:
        host, _sites = _resolve_sites(host_site=host_site, sites=[], user=user)
        pool = {host.pk: host}
    province_id = (host or meeting.host_site).province_id
    return _Edit(
        title=_clean_title(title) if title is not None else None,
        agenda=_check_agenda(agenda) if agenda is not None else None,
        start_time=start_time,
        duration=duration,
        host=host,
        listed=listed,
        pool=pool,
        agencies=_resolve_agencies(agencies, province_id=province_id) if agencies is not None else None,
    )


def _window(meeting: Meeting, edit: _Edit) -> tuple[datetime, datetime]:
    """The occurrence's new start and end: its own day, the new time of day and length where given."""
    local_start = meeting.start.astimezone(BANGKOK)
    if edit.start_time is not None:
        local_start = datetime.combine(local_start.date(), edit.start_time.replace(tzinfo=None), tzinfo=BANGKOK)
    return local_start, local_start + (edit.duration if edit.duration is not None else meeting.end - meeting.start)


def _changes(*, targets: list[Meeting], edit: _Edit, now: datetime) -> list[_Change]:
    """What changes in each occurrence (its times checked); an occurrence the edit leaves as it is is left out."""
    ids = [m.pk for m in targets]
    current_sites: dict[int, list[int]] = {pk: [] for pk in ids}
    for meeting_id, site_id in Participation.objects.filter(meeting_id__in=ids).values_list("meeting_id", "site_id"):
        current_sites[meeting_id].append(site_id)
    current_agencies: dict[int, set[int]] = {pk: set() for pk in ids}
    invitations = AgencyInvitation.objects.filter(meeting_id__in=ids).values_list("meeting_id", "agency_id")
    for meeting_id, agency_id in invitations:
        current_agencies[meeting_id].add(agency_id)
    changes: list[_Change] = []
    for target in targets:
        start, end = _window(target, edit)
        fields: list[str] = []
        if (start, end) != (target.start, target.end):
            _check_times(start=start, end=end, now=now)
            fields += ["start", "end"]
        if edit.title is not None and edit.title != target.title:
            fields.append("title")
        if edit.agenda is not None and edit.agenda != target.agenda:
            fields.append("agenda")
        host = edit.host or target.host_site
        if host.pk != target.host_site_id:
            fields.append("host_site")
        have = current_sites[target.pk]
        wanted = [host.pk, *(pk for pk in (edit.listed if edit.listed is not None else have) if pk != host.pk)]
        added = [pk for pk in wanted if pk not in have]
        removed = set(have) - set(wanted)
        had = current_agencies[target.pk]
        if fields or added or removed or (edit.agencies is not None and {a.pk for a in edit.agencies} != had):
            changes.append(_Change(target, start, end, host, wanted, added, removed, fields, had))
    return changes


def _refuse_clashes(changes: list[_Change]) -> None:
    """Every changed occurrence checked (all its sites when its time changes, else the sites it gains); the error
    names each clashing date (BE), then which site is in which meeting."""
    changed_ids = [change.meeting.pk for change in changes]
    clashing: list[_Change] = []
    messages: list[str] = []
    for change in changes:
        checked = change.site_ids if "start" in change.fields else change.added
        found = _clash_messages(
            site_ids=checked, windows=[(change.start, change.end)], exclude_meeting_ids=changed_ids
        )
        if found:
            clashing.append(change)
            messages += found
    if clashing:
        summary = _(
            "แก้ไขไม่ได้: การประชุม %(count)d ครั้งติดประชุมอื่น (%(dates)s) ไม่ได้บันทึกการแก้ไขใด ๆ "
            "เลือกเวลาอื่น นำสถานที่ที่ติดออก หรือแก้ไขเฉพาะครั้งที่ไม่ติด"
        ) % {"count": len(clashing), "dates": ", ".join(date_text(change.start) for change in clashing)}
        raise ValidationError({"sites": [summary, *messages[:10]]}, code="clash")


def _change_write(change: _Change, edit: _Edit, *, scope: str, by) -> Meeting:
    target = change.meeting
    target.start, target.end = change.start, change.end
    if edit.title is not None:
        target.title = edit.title
    if edit.agenda is not None:
        target.agenda = edit.agenda
    target.host_site = change.host
    target.sequence += 1
    target.full_clean(exclude={"host_site", "series", "created_by"}, validate_constraints=False)
    target.save(update_fields=[*change.fields, "sequence", "updated_at"])
    if change.removed:
        target.participations.filter(site_id__in=change.removed).delete()
    if "start" in change.fields:
        target.participations.update(start=change.start, end=change.end)
    if "host_site" in change.fields:
        target.participations.exclude(site_id=change.host.pk).update(role=Participation.Role.PARTICIPANT)
        target.participations.filter(site_id=change.host.pk).update(role=Participation.Role.HOST)
    if change.added:
        by_id = {**edit.pool, change.host.pk: change.host}
        Participation.objects.bulk_create(_participations(target, [by_id[pk] for pk in change.added]))
    if edit.agencies is not None:
        target.agency_invitations.exclude(agency__in=edit.agencies).delete()
        AgencyInvitation.objects.bulk_create(
            [AgencyInvitation(meeting=target, agency=a) for a in edit.agencies if a.pk not in change.agencies_had]
        )
    room_change(meeting=target)
    join_passes_ensure(meeting=target)  # every invited site has its link before its invitation is written
    notifications_plan(meeting=target, change="update")  # its sites and agencies told once, at the new SEQUENCE
    audit_record(
        actor=by, action=AuditAction.UPDATE, target=target,
        detail={"sequence": target.sequence, "scope": scope, "changed": change.fields,
                "sites_added": change.added, "sites_removed": sorted(change.removed)},
    )
    return target


@transaction.atomic
def series_update(
    *,
    meeting: Meeting,
    scope: str = Scope.ONE,
    title: str | None = None,
    agenda: list[str] | None = None,
    start_time: time | None = None,
    duration: timedelta | None = None,
    host_site: Site | int | None = None,
    sites: Iterable[Site | int] | None = None,
    agencies: Iterable[Agency | int] | None = None,
    by=None,
) -> list[Meeting]:
    """Edit one occurrence, this and the following ones, or every one not yet held (`scope`: one, following, all).

    Only what is given changes, the same way in each occurrence: the title, the agenda, the time of day
    (`start_time`, Bangkok wall clock, each on its own day), the length (`duration`), the host and the invited sites
    (the host is always one; each occurrence keeps its own host unless `host_site` is given) and agencies.
    Occurrences that have started, ended or been cancelled are never touched. Every changed occurrence is checked
    for clashes first: if any clashes, the error names each date (BE) and nothing is written. Each changed
    occurrence gets its SEQUENCE bumped, its room changed and its invited sites and agencies told once (an update,
    an invitation for one new to it, a cancellation for one taken off). Returns the meetings changed (an occurrence
    the edit leaves as it was is not written). `scope` "one" works for a meeting outside any series too.
    """
    now = timezone.now()
    targets = _targets(meeting=meeting, scope=scope, now=now)
    edit = _edit(
        meeting=meeting, targets=targets, title=title, agenda=agenda, start_time=start_time, duration=duration,
        host_site=host_site, sites=sites, agencies=agencies, by=by,
    )
    changes = _changes(targets=targets, edit=edit, now=now)
    if not changes:
        return []
    _refuse_clashes(changes)
    return _guarded(
        lambda: [_change_write(change, edit, scope=scope, by=by) for change in changes],
        site_ids=sorted({pk for change in changes for pk in change.site_ids}),
        windows=[(change.start, change.end) for change in changes],
        exclude_meeting_ids=[change.meeting.pk for change in changes],
    )
