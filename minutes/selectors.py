"""Every read of the minutes pages and API, at a fixed number of queries whatever the number of items or sites.

Who reads what:
- the secretary (the schedulers and administrators of the meeting's province) every version of the minutes of
  the province's meetings, drafts included;
- the clerks of the sites invited to the meeting the versions that were sent (sent, approved, superseded), never a
  draft, never another site's or province's meeting.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from districts.access import Role, staff_of
from join.selectors import attendance_report
from meetings.models import Meeting

from .models import Minutes, MinutesVersion

SECRETARY_ROLES = (Role.SCHEDULER, Role.ADMINISTRATOR)
READABLE_BY_SITES = (MinutesVersion.State.SENT, MinutesVersion.State.APPROVED, MinutesVersion.State.SUPERSEDED)


def is_secretary(user) -> bool:
    staff = staff_of(user)
    return staff is not None and staff.role in SECRETARY_ROLES


def _meetings_for(user) -> QuerySet[Meeting]:
    """The meetings whose minutes the user may open at all: the province's for the secretary, the ones the
    clerk's site is invited to for a clerk; nothing for anyone else."""
    staff = staff_of(user)
    if staff is None:
        return Meeting.objects.none()
    if staff.role in SECRETARY_ROLES:
        return Meeting.objects.filter(host_site__province_id=staff.site.province_id)
    if staff.role == Role.CLERK:
        return Meeting.objects.filter(participations__site_id=staff.site_id)
    return Meeting.objects.none()


def _versions_for(user) -> QuerySet[MinutesVersion]:
    versions = MinutesVersion.objects.select_related("approval__by_meeting", "approval__recorded_by", "sent_by",
                                                     "edited_by")
    if is_secretary(user):
        return versions
    return versions.filter(state__in=READABLE_BY_SITES)


def meeting_for_secretary(*, user, meeting_id: int) -> Meeting | None:
    """A meeting of the secretary's province (to draft, edit, send its minutes): one query."""
    if not is_secretary(user):
        return None
    return (
        _meetings_for(user).select_related("host_site__province", "host_site__district", "series")
        .filter(pk=meeting_id).first()
    )


def minutes_for(*, user, meeting_id: int) -> Minutes | None:
    """The minutes of a meeting with the versions the user may read (oldest first), each with its approval, and
    the meeting: 2 queries. None when there are none the user may read (a clerk: nothing sent yet)."""
    minutes = (
        Minutes.objects.filter(meeting__in=_meetings_for(user).values("pk"), meeting_id=meeting_id)
        .select_related("meeting__host_site__province", "meeting__series", "created_by")
        .prefetch_related(Prefetch("versions", queryset=_versions_for(user).order_by("number"), to_attr="readable"))
        .first()
    )
    if minutes is None or not minutes.readable:
        return None
    return minutes


def version_for(*, user, meeting_id: int, number: int) -> MinutesVersion | None:
    """One version of a meeting's minutes, if the user may read it: one query."""
    return (
        _versions_for(user).select_related("minutes__meeting__host_site__province")
        .filter(minutes__meeting__in=_meetings_for(user).values("pk"), minutes__meeting_id=meeting_id, number=number)
        .first()
    )


def meeting_for_page(*, user, meeting_id: int) -> Meeting | None:
    """The meeting a minutes page is about, if the user may open its minutes at all: one query."""
    return _meetings_for(user).select_related("host_site__province", "series").filter(pk=meeting_id).first()


def previous_meeting(*, meeting: Meeting) -> Meeting | None:
    """The meeting of the same series just before this one (by occurrence, then start), cancelled ones skipped:
    its minutes are approved under item 2 of this one. One query."""
    if meeting.series_id is None:
        return None
    return (
        Meeting.objects.filter(series_id=meeting.series_id)
        .exclude(status=Meeting.Status.CANCELLED)
        .filter(Q(occurrence__lt=meeting.occurrence) | Q(occurrence=meeting.occurrence, start__lt=meeting.start))
        .exclude(pk=meeting.pk)
        .order_by("-occurrence", "-start", "-pk")
        .first()
    )


def next_meeting(*, meeting: Meeting) -> Meeting | None:
    """The meeting of the same series just after this one (cancelled ones skipped), or None. One query."""
    if meeting.series_id is None:
        return None
    return (
        Meeting.objects.filter(series_id=meeting.series_id)
        .exclude(status=Meeting.Status.CANCELLED)
        .filter(Q(occurrence__gt=meeting.occurrence) | Q(occurrence=meeting.occurrence, start__gt=meeting.start))
        .exclude(pk=meeting.pk)
        .order_by("occurrence", "start", "pk")
        .first()
    )


@dataclass(frozen=True)
class MeetingMinutesLinks:
    """What the meeting page shows about minutes: this meeting's own, and the previous meeting's awaiting approval
    under item 2 of this one."""

    meeting: Meeting
    own: MinutesVersion | None
    to_approve: MinutesVersion | None
    previous: Meeting | None


def meeting_links(*, meeting: Meeting) -> MeetingMinutesLinks:
    """For the meeting page's card (minutes:links): 2 queries whatever the data."""
    previous = previous_meeting(meeting=meeting)
    ids = [meeting.pk] + ([previous.pk] if previous else [])
    latest: dict[int, MinutesVersion] = {}
    for version in MinutesVersion.objects.filter(minutes__meeting_id__in=ids).select_related("minutes").order_by(
        "number"
    ):
        latest[version.minutes.meeting_id] = version
    to_approve = latest.get(previous.pk) if previous else None
    return MeetingMinutesLinks(meeting=meeting, own=latest.get(meeting.pk), to_approve=to_approve, previous=previous)


def site_minutes(*, site) -> list[MinutesVersion]:
    """The minutes sent to a site (of the meetings it was invited to), newest meeting first, latest version each:
    one query."""
    versions = (
        MinutesVersion.objects.filter(state__in=READABLE_BY_SITES, minutes__meeting__participations__site=site)
        .select_related("minutes__meeting")
        .order_by("-minutes__meeting__start", "minutes_id", "-number")
    )
    seen: set[int] = set()
    latest = []
    for version in versions:
        if version.minutes_id not in seen:
            seen.add(version.minutes_id)
            latest.append(version)
    return latest


# --- drafting: what the draft is made of ----------------------------------------------------------------------


@dataclass(frozen=True)
class DraftSources:
    meeting: Meeting
    attendance: object  # join.selectors.AttendanceReport
    documents: list
    roll: list
    votes: list


def draft_sources(*, meeting: Meeting) -> DraftSources:
    """The agenda (on the meeting), the invited sites, the attendance record, the documents, the roll and the votes
    (proceedings' selectors) of a meeting."""
    from proceedings import selectors as proceedings  # noqa: PLC0415 - the roll and the votes (issue 16, parts 1-2)

    attendance = attendance_report(meeting=meeting)
    documents = list(meeting.documents.order_by("uploaded_at", "pk"))
    return DraftSources(
        meeting=meeting, attendance=attendance, documents=documents,
        roll=list(proceedings.meeting_roll(meeting=meeting)), votes=list(proceedings.meeting_votes(meeting=meeting)),
    )
