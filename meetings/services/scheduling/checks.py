"""The texts and checks that one meeting and a series share: how a site and a time are named, the times, the
agenda, the title, the sites and agencies (of the scheduler's province, active), and clashes.

A site cannot be in two overlapping meetings: checked here with a clear message (`_raise_clash`), and enforced by
PostgreSQL's exclusion constraint as the last line (`_guarded` turns its IntegrityError into the same message).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from districts.access import staff_of
from districts.models import Agency, Site
from foundation.thaidate import BANGKOK, BE_OFFSET, format_be_short

from ...models import DEFAULT_AGENDA, Participation

MAX_MEETING_HOURS = 24
MAX_AGENDA_ITEMS = 40
EXCLUSION_CONSTRAINT = "participation_site_not_double_booked"


# --- texts -------------------------------------------------------------------------------------------------


ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def in_english() -> bool:
    return (get_language() or "").startswith("en")


def site_label(site: Site) -> str:
    """How people name a site in a sentence: อำเภอนายูง, or the hall's own name (in English: Na Yung District,
    Udon Thani Provincial Hall)."""
    if in_english():
        if site.district_id:
            return f"{site.district.name_en} District"
        return f"{site.province.name_en} Provincial Hall"
    if site.district_id:
        return f"อำเภอ{site.district.name_th}"
    return site.name


def date_text(value: date | datetime, *, with_time: bool = False) -> str:
    """A date in the person's language, its year in BE: `12 เม.ย. 2569` or `12 Apr 2026 (B.E. 2569)`; with_time
    adds the Bangkok time (`09:00 น.` / `09:00`)."""
    if not in_english():
        return format_be_short(value, with_time=with_time)
    local = value.astimezone(BANGKOK) if isinstance(value, datetime) else value
    text = f"{local.day} {ENGLISH_MONTHS[local.month - 1]} {local.year} (B.E. {local.year + BE_OFFSET})"
    return f"{text} {local:%H:%M}" if with_time else text


def when_text(start: datetime, end: datetime) -> str:
    """`วันที่ 12 เม.ย. 2569 09:00–10:00 น.` (Bangkok time; both dates when it spans midnight)."""
    local_start, local_end = start.astimezone(BANGKOK), end.astimezone(BANGKOK)
    if local_start.date() == local_end.date():
        return _("วันที่ %(date)s %(start)s–%(end)s น.") % {
            "date": date_text(start), "start": f"{local_start:%H:%M}", "end": f"{local_end:%H:%M}"
        }
    return _("วันที่ %(start)s น. – %(end)s น.") % {
        "start": date_text(start, with_time=True), "end": date_text(end, with_time=True)
    }


# --- checks ------------------------------------------------------------------------------------------------


def _check_times(*, start: datetime, end: datetime, now: datetime | None = None) -> None:
    errors: dict[str, list[str]] = {}
    for field, value in (("start", start), ("end", end)):
        if not isinstance(value, datetime):
            errors[field] = [_("ต้องระบุวันและเวลา")]
        elif timezone.is_naive(value):
            errors[field] = [
                _("วันเวลาต้องระบุเขตเวลา (เวลาประเทศไทย): ส่งเป็น ISO 8601 เช่น 2026-04-12T09:00:00+07:00")
            ]
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    if end <= start:
        errors["end"] = [
            _("เวลาสิ้นสุด (%(end)s) ต้องหลังเวลาเริ่ม (%(start)s): แก้เวลาสิ้นสุดให้หลังเวลาเริ่ม")
            % {"end": date_text(end, with_time=True), "start": date_text(start, with_time=True)}
        ]
    elif end - start > timedelta(hours=MAX_MEETING_HOURS):
        errors["end"] = [
            _("การประชุมยาวเกิน %(hours)d ชั่วโมง: ตรวจวันที่สิ้นสุดอีกครั้ง หรือแยกเป็นชุดการประชุม")
            % {"hours": MAX_MEETING_HOURS}
        ]
    if start < now:
        errors["start"] = [
            _("เวลาเริ่ม %(start)s ผ่านมาแล้ว: นัดประชุมได้เฉพาะเวลาในอนาคต ตรวจวันที่ (ปี พ.ศ.) และเวลาอีกครั้ง")
            % {"start": date_text(start, with_time=True)}
        ]
    if errors:
        raise ValidationError(errors)


def _check_agenda(agenda: object) -> list[str]:
    if agenda is None:
        return list(DEFAULT_AGENDA)
    if not isinstance(agenda, list | tuple) or not all(isinstance(item, str) for item in agenda):
        raise ValidationError({"agenda": [_("ระเบียบวาระต้องเป็นรายการข้อความ หนึ่งวาระต่อหนึ่งรายการ")]})
    items = [item.strip() for item in agenda if item.strip()]
    if not items:
        return list(DEFAULT_AGENDA)
    if len(items) > MAX_AGENDA_ITEMS:
        raise ValidationError({"agenda": [_("ระเบียบวาระมีได้ไม่เกิน %(count)d ข้อ") % {"count": MAX_AGENDA_ITEMS}]})
    if any(len(item) > 500 for item in items):
        raise ValidationError({"agenda": [_("แต่ละวาระยาวได้ไม่เกิน 500 ตัวอักษร")]})
    return items


def _ids(values: Iterable[object], label: str, field: str) -> list[int]:
    ids: list[int] = []
    for value in values:
        pk = getattr(value, "pk", value)
        try:
            ids.append(int(pk))
        except (TypeError, ValueError):
            raise ValidationError(
                {field: [_("ไม่รู้จัก%(what)s “%(value)s”: เลือกจากรายการ") % {"what": label, "value": value}]}
            ) from None
    return list(dict.fromkeys(ids))


def _province_of(user) -> int | None:
    staff = staff_of(user)
    return staff.site.province_id if staff is not None else None


def _resolve_sites(*, host_site: Site | int, sites: Iterable[Site | int], user) -> tuple[Site, list[Site]]:
    """The host site and every participating site (host first), all active and of the scheduler's province."""
    host_id = _ids([host_site], _("สถานที่ประธาน"), "host_site")[0]
    ids = [host_id, *(pk for pk in _ids(sites, _("สถานที่"), "sites") if pk != host_id)]
    found = {site.pk: site for site in Site.objects.select_related("province", "district").filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        field = "host_site" if host_id in missing else "sites"
        raise ValidationError(
            {field: [_("ไม่พบสถานที่รหัส %(ids)s: เลือกจากรายการสถานที่ของจังหวัด") % {"ids": ", ".join(map(str, missing))}]}
        )
    host = found[host_id]
    province_id = _province_of(user) or host.province_id
    errors: dict[str, list[str]] = {}
    if host.province_id != province_id:
        errors["host_site"] = [
            _("%(site)s ไม่อยู่ในจังหวัดของท่าน: เลือกสถานที่ประธานในจังหวัดของท่าน") % {"site": site_label(host)}
        ]
    other = [found[pk] for pk in ids if found[pk].province_id != province_id and pk != host_id]
    if other:
        province = (lambda site: site.province.name_en) if in_english() else (lambda site: site.province.name_th)
        names = ", ".join(f"{site_label(site)} ({province(site)})" for site in other)
        errors.setdefault("sites", []).append(
            _("%(sites)s อยู่นอกจังหวัดของท่าน: เชิญได้เฉพาะสถานที่ในจังหวัดเดียวกัน") % {"sites": names}
        )
    inactive = [found[pk] for pk in ids if not found[pk].is_active]
    if inactive:
        names = ", ".join(site_label(site) for site in inactive)
        errors.setdefault("sites", []).append(
            _("%(sites)s ปิดใช้งานอยู่: เลือกสถานที่อื่น หรือให้ผู้ดูแลระบบเปิดใช้งานก่อน") % {"sites": names}
        )
    if errors:
        raise ValidationError(errors)
    return host, [found[pk] for pk in ids]


def _resolve_agencies(agencies: Iterable[Agency | int], *, province_id: int) -> list[Agency]:
    ids = _ids(agencies, _("ส่วนราชการ"), "agencies")
    if not ids:
        return []
    found = {agency.pk: agency for agency in Agency.objects.filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError(
            {"agencies": [_("ไม่พบส่วนราชการรหัส %(ids)s: เลือกจากรายการ") % {"ids": ", ".join(map(str, missing))}]}
        )
    wrong = [a.name for a in found.values() if a.province_id != province_id or not a.is_active]
    if wrong:
        raise ValidationError(
            {"agencies": [
                _("%(agencies)s ไม่ได้เป็นส่วนราชการที่ใช้งานอยู่ในจังหวัดนี้: เลือกจากรายการ") % {"agencies": ", ".join(wrong)}
            ]}
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
        .select_related("site__district", "site__province", "meeting")
        .order_by("start", "site__district__code")[:10]
    )
    return [
        _("%(site)s ติดประชุม “%(title)s” %(when)s — เลือกเวลาอื่น หรือนำสถานที่นี้ออกจากการประชุม")
        % {"site": site_label(p.site), "title": p.meeting.title, "when": when_text(p.meeting.start, p.meeting.end)}
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
            {"sites": [_("มีสถานที่ติดประชุมอื่นในช่วงเวลานี้ (เพิ่งมีผู้นัดหมายพร้อมกัน): เลือกเวลาอื่น")]}, code="clash"
        ) from error


def _clean_title(title: str) -> str:
    """Where every title comes in (the form, the API, a series): one line, its white space folded. A title goes into
    email subjects and calendar files, where a line break would break every message about the meeting."""
    title = " ".join((title or "").split())  # line breaks, tabs and runs of spaces become one space
    if any(unicodedata.category(char) == "Cc" for char in title):
        raise ValidationError(
            {"title": [_("เรื่องที่ประชุมมีอักขระควบคุมที่พิมพ์ไม่ได้: พิมพ์ชื่อเรื่องใหม่เป็นข้อความธรรมดา")]}
        )
    if not title:
        raise ValidationError({"title": [_("พิมพ์เรื่องที่ประชุม เช่น “ประชุมหัวหน้าส่วนราชการประจำเดือน”")]})
    if len(title) > 200:
        raise ValidationError({"title": [_("เรื่องที่ประชุมยาวได้ไม่เกิน 200 ตัวอักษร")]})
    return title
