"""Scheduling: meetings and series, their sites and agencies, rescheduling, edits and cancellations.

Every function checks its input and raises a `ValidationError` keyed by the field at fault, in Thai, saying
what is wrong and how to fix it; nothing is written when it does. A site cannot be in two overlapping meetings:
checked here with a clear message, and enforced by PostgreSQL's exclusion constraint as the last line (its
IntegrityError is turned into the same message).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from districts.access import staff_of
from districts.models import Agency, Site
from foundation.audit import Action as AuditAction
from foundation.audit import audit_record
from foundation.thaidate import BANGKOK, format_be_short
from join.services import join_passes_ensure
from notifications.services import notifications_plan

from ..conf import setting
from ..models import DEFAULT_AGENDA, AgencyInvitation, Meeting, Participation, Series
from .rooms import room_change, room_create, room_retire

MAX_MEETING_HOURS = 24
MAX_AGENDA_ITEMS = 40
EXCLUSION_CONSTRAINT = "participation_site_not_double_booked"


# --- texts -------------------------------------------------------------------------------------------------


def site_label(site: Site) -> str:
    """How people name a site in a sentence: อำเภอนายูง, or the hall's own name."""
    if site.district_id:
        return f"อำเภอ{site.district.name_th}"
    return site.name


def when_text(start: datetime, end: datetime) -> str:
    """`วันที่ 12 เม.ย. 2569 09:00–10:00 น.` (Bangkok time; both dates when it spans midnight)."""
    local_start, local_end = start.astimezone(BANGKOK), end.astimezone(BANGKOK)
    if local_start.date() == local_end.date():
        return f"วันที่ {format_be_short(start)} {local_start:%H:%M}–{local_end:%H:%M} น."
    return f"วันที่ {format_be_short(start)} {local_start:%H:%M} น. – {format_be_short(end)} {local_end:%H:%M} น."


# --- checks ------------------------------------------------------------------------------------------------


def _check_times(*, start: datetime, end: datetime, now: datetime | None = None) -> None:
    errors: dict[str, list[str]] = {}
    for field, value in (("start", start), ("end", end)):
        if not isinstance(value, datetime):
            errors[field] = ["ต้องระบุวันและเวลา"]
        elif timezone.is_naive(value):
            errors[field] = ["วันเวลาต้องระบุเขตเวลา (เวลาประเทศไทย): ส่งเป็น ISO 8601 เช่น 2026-04-12T09:00:00+07:00"]
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    if end <= start:
        errors["end"] = [
            f"เวลาสิ้นสุด ({format_be_short(end, with_time=True)}) ต้องหลังเวลาเริ่ม "
            f"({format_be_short(start, with_time=True)}): แก้เวลาสิ้นสุดให้หลังเวลาเริ่ม"
        ]
    elif end - start > timedelta(hours=MAX_MEETING_HOURS):
        errors["end"] = [f"การประชุมยาวเกิน {MAX_MEETING_HOURS} ชั่วโมง: ตรวจวันที่สิ้นสุดอีกครั้ง หรือแยกเป็นชุดการประชุม"]
    if start < now:
        errors["start"] = [
            f"เวลาเริ่ม {format_be_short(start, with_time=True)} ผ่านมาแล้ว: "
            "นัดประชุมได้เฉพาะเวลาในอนาคต ตรวจวันที่ (ปี พ.ศ.) และเวลาอีกครั้ง"
        ]
    if errors:
        raise ValidationError(errors)


def _check_agenda(agenda: object) -> list[str]:
    if agenda is None:
        return list(DEFAULT_AGENDA)
    if not isinstance(agenda, list | tuple) or not all(isinstance(item, str) for item in agenda):
        raise ValidationError({"agenda": ["ระเบียบวาระต้องเป็นรายการข้อความ หนึ่งวาระต่อหนึ่งรายการ"]})
    items = [item.strip() for item in agenda if item.strip()]
    if not items:
        return list(DEFAULT_AGENDA)
    if len(items) > MAX_AGENDA_ITEMS:
        raise ValidationError({"agenda": [f"ระเบียบวาระมีได้ไม่เกิน {MAX_AGENDA_ITEMS} ข้อ"]})
    if any(len(item) > 500 for item in items):
        raise ValidationError({"agenda": ["แต่ละวาระยาวได้ไม่เกิน 500 ตัวอักษร"]})
    return items


def _ids(values: Iterable[object], label: str, field: str) -> list[int]:
    ids: list[int] = []
    for value in values:
        pk = getattr(value, "pk", value)
        try:
            ids.append(int(pk))
        except (TypeError, ValueError):
            raise ValidationError({field: [f"ไม่รู้จัก{label} “{value}”: เลือกจากรายการ"]}) from None
    return list(dict.fromkeys(ids))


def _province_of(user) -> int | None:
    staff = staff_of(user)
    return staff.site.province_id if staff is not None else None


def _resolve_sites(*, host_site: Site | int, sites: Iterable[Site | int], user) -> tuple[Site, list[Site]]:
    """The host site and every participating site (host first), all active and of the scheduler's province."""
    host_id = _ids([host_site], "สถานที่ประธาน", "host_site")[0]
    ids = [host_id, *(pk for pk in _ids(sites, "สถานที่", "sites") if pk != host_id)]
    found = {site.pk: site for site in Site.objects.select_related("province", "district").filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        field = "host_site" if host_id in missing else "sites"
        raise ValidationError(
            {field: [f"ไม่พบสถานที่รหัส {', '.join(map(str, missing))}: เลือกจากรายการสถานที่ของจังหวัด"]}
        )
    host = found[host_id]
    province_id = _province_of(user) or host.province_id
    errors: dict[str, list[str]] = {}
    if host.province_id != province_id:
        errors["host_site"] = [f"{site_label(host)} ไม่อยู่ในจังหวัดของท่าน: เลือกสถานที่ประธานในจังหวัดของท่าน"]
    other = [found[pk] for pk in ids if found[pk].province_id != province_id and pk != host_id]
    if other:
        names = ", ".join(f"{site_label(site)} ({site.province.name_th})" for site in other)
        errors.setdefault("sites", []).append(f"{names} อยู่นอกจังหวัดของท่าน: เชิญได้เฉพาะสถานที่ในจังหวัดเดียวกัน")
    inactive = [found[pk] for pk in ids if not found[pk].is_active]
    if inactive:
        names = ", ".join(site_label(site) for site in inactive)
        errors.setdefault("sites", []).append(f"{names} ปิดใช้งานอยู่: เลือกสถานที่อื่น หรือให้ผู้ดูแลระบบเปิดใช้งานก่อน")
    if errors:
        raise ValidationError(errors)
    return host, [found[pk] for pk in ids]


def _resolve_agencies(agencies: Iterable[Agency | int], *, province_id: int) -> list[Agency]:
    ids = _ids(agencies, "ส่วนราชการ", "agencies")
    if not ids:
        return []
    found = {agency.pk: agency for agency in Agency.objects.filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError({"agencies": [f"ไม่พบส่วนราชการรหัส {', '.join(map(str, missing))}: เลือกจากรายการ"]})
    wrong = [a.name for a in found.values() if a.province_id != province_id or not a.is_active]
    if wrong:
        raise ValidationError(
            {"agencies": [f"{', '.join(wrong)} ไม่ได้เป็นส่วนราชการที่ใช้งานอยู่ในจังหวัดนี้: เลือกจากรายการ"]}
        )
    return [found[pk] for pk in ids]


def _clash_messages(
    *, site_ids: Sequence[int], windows: Sequence[tuple[datetime, datetime]], exclude_meeting_ids: Iterable[int] = ()
) -> list[str]:
    """One sentence per clash: which site is already in which meeting, and when."""
    if not site_ids or not windows:
        return []
    overlap = Q()
    for start, end in windows:
        overlap |= Q(start__lt=end, end__gt=start)
    clashes = (
        Participation.objects.filter(overlap, site_id__in=site_ids, active=True)
        .exclude(meeting_id__in=list(exclude_meeting_ids))
        .select_related("site__district", "meeting")
        .order_by("start", "site__district__code")[:10]
    )
    return [
        f"{site_label(p.site)} ติดประชุม “{p.meeting.title}” {when_text(p.meeting.start, p.meeting.end)}"
        " — เลือกเวลาอื่น หรือนำสถานที่นี้ออกจากการประชุม"
        for p in clashes
    ]


def _raise_clash(*, site_ids, windows, exclude_meeting_ids=()) -> None:
    messages = _clash_messages(site_ids=site_ids, windows=windows, exclude_meeting_ids=exclude_meeting_ids)
    if messages:
        raise ValidationError({"sites": messages}, code="clash")


def _is_clash(error: IntegrityError) -> bool:
    return EXCLUSION_CONSTRAINT in str(error)


def _guarded(write, *, site_ids, windows, exclude_meeting_ids=()):
    """Run `write` in a savepoint; a lost race on the exclusion constraint becomes the clear clash message."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as error:
        if not _is_clash(error):
            raise
        _raise_clash(site_ids=site_ids, windows=windows, exclude_meeting_ids=exclude_meeting_ids)
        raise ValidationError(
            {"sites": ["มีสถานที่ติดประชุมอื่นในช่วงเวลานี้ (เพิ่งมีผู้นัดหมายพร้อมกัน): เลือกเวลาอื่น"]}, code="clash"
        ) from error


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
    join_passes_ensure(meeting=meeting)  # every invited site has its link before its invitation is written
    notifications_plan(meeting=meeting, change="invitation")
    audit_record(
        actor=created_by, action=AuditAction.CREATE, target=meeting,
        detail={"start": start.isoformat(), "end": end.isoformat(), "sites": [s.pk for s in sites]},
    )
    return meeting


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": ["ต้องระบุเรื่องที่ประชุม"]})
    if len(title) > 200:
        raise ValidationError({"title": ["เรื่องที่ประชุมยาวได้ไม่เกิน 200 ตัวอักษร"]})
    return title


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
) -> Meeting:
    """Schedule one meeting: its sites (the host is always one), agencies, and a room to be provisioned."""
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
            created_by=created_by, series=series,
        ),
        site_ids=site_ids,
        windows=[(start, end)],
    )


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
            {"until": ["ชุดการประชุมต้องมีจุดสิ้นสุด: ระบุ “ถึงวันที่” หรือ “จำนวนครั้ง” อย่างใดอย่างหนึ่ง"]}
        )
    if frequency not in Series.Frequency.values:
        raise ValidationError({"frequency": ["ความถี่ต้องเป็น “ทุกวัน” หรือ “ทุกสัปดาห์”"]})
    cap = int(setting("MEETINGS_SERIES_MAX_OCCURRENCES"))
    if count is not None and (count < 1 or count > cap):
        raise ValidationError({"count": [f"จำนวนครั้งต้องอยู่ระหว่าง 1 ถึง {cap}"]})
    step = timedelta(days=1 if frequency == Series.Frequency.DAILY else 7)
    duration = end - start
    if duration >= step:
        raise ValidationError({"end": ["การประชุมแต่ละครั้งยาวกว่ารอบของชุด ทำให้ทับกันเอง: ตรวจเวลาสิ้นสุด"]})
    local_start = start.astimezone(BANGKOK)
    if until is not None and until < local_start.date():
        raise ValidationError(
            {"until": [f"“ถึงวันที่” ({format_be_short(until)}) อยู่ก่อนวันเริ่ม ({format_be_short(local_start)})"]}
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
                {"until": [f"ชุดการประชุมมีได้ไม่เกิน {cap} ครั้ง: เลื่อน “ถึงวันที่” ให้เร็วขึ้น หรือระบุจำนวนครั้ง"]}
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
                end=occurrence.end, created_by=created_by, series=series, occurrence=index,
            )
        return series

    return _guarded(write, site_ids=site_ids, windows=windows)


def _locked(meeting: Meeting) -> Meeting:
    locked = Meeting.objects.select_for_update().select_related("host_site").get(pk=meeting.pk)
    if not locked.is_open:
        raise ValidationError(
            {"status": [f"การประชุมนี้{locked.get_status_display()}แล้ว: แก้ไขไม่ได้ นัดหมายใหม่แทน"]}
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
def meeting_cancel(*, meeting: Meeting, by=None) -> Meeting:
    """Cancel a meeting (or one occurrence of a series, alone): its sites are free again, its room is removed."""
    meeting = _locked(meeting)
    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence", "updated_at"])
    meeting.participations.update(active=False)
    room_retire(meeting=meeting)
    notifications_plan(meeting=meeting, change="cancellation")
    audit_record(actor=by, action=AuditAction.CANCEL, target=meeting, detail={})
    return meeting


def _occurrence(meeting: Meeting) -> Meeting:
    if meeting.series_id is None:
        raise ValidationError({"series": ["การประชุมนี้ไม่ได้อยู่ในชุดการประชุม"]})
    return meeting


def occurrence_move(*, meeting: Meeting, start: datetime, end: datetime, by=None) -> Meeting:
    """Move one occurrence of a series; the other occurrences stay where they are."""
    return meeting_reschedule(meeting=_occurrence(meeting), start=start, end=end, by=by)


def occurrence_cancel(*, meeting: Meeting, by=None) -> Meeting:
    """Cancel one occurrence of a series; the other occurrences still take place."""
    return meeting_cancel(meeting=_occurrence(meeting), by=by)


@transaction.atomic
def series_cancel(*, series: Series, by=None) -> int:
    """Cancel every occurrence of a series that has not started yet. Returns how many were cancelled."""
    now = timezone.now()
    cancelled = 0
    for meeting in series.meetings.filter(start__gt=now).exclude(
        status__in=[Meeting.Status.CANCELLED, Meeting.Status.ENDED]
    ):
        meeting_cancel(meeting=meeting, by=by)
        cancelled += 1
    return cancelled
