"""Series: the dates of a daily or weekly series, scheduling one (a meeting with its own room per occurrence,
all checked before any is saved), moving or cancelling one occurrence alone, and cancelling what is left of it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from districts.models import Agency, Site
from foundation.thaidate import BANGKOK, format_be_short

from ...conf import setting
from ...models import Meeting, Series
from .checks import _check_agenda, _check_times, _clean_title, _guarded, _raise_clash, _resolve_agencies, _resolve_sites
from .meeting import _meeting_write, meeting_cancel, meeting_reschedule


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
