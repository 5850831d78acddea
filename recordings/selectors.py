"""Every read of the recordings pages and API, at a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet

from districts.access import Role, staff_of
from meetings.models import Meeting, Participation

from .models import MeetingRecording, RecordingFile

# Who may download a recording: the province's schedulers and administrators any file of a meeting of their
# province; a district clerk only a meeting their own site took part in, and of it only the mixed file and their
# own site's file (least privilege: not another site's own stream). Finance officers none.
PROVINCE_ROLES = (Role.SCHEDULER, Role.ADMINISTRATOR)
DOWNLOAD_ROLES = (Role.SCHEDULER, Role.ADMINISTRATOR, Role.CLERK)


def retention_days(kind: str) -> int:
    return int(settings.RECORDINGS_RETENTION_DAYS[kind])


def default_kind(meeting: Meeting) -> str:
    """A meeting of a series is a regular meeting; any other a special one (the scheduler may change it)."""
    return MeetingRecording.Kind.REGULAR if meeting.series_id else MeetingRecording.Kind.SPECIAL


def retained_until(meeting: Meeting, kind: str):
    return meeting.end + timedelta(days=retention_days(kind))


def meeting_for_recording(*, user, pk: int) -> Meeting | None:
    """A meeting of the user's province, for its schedulers and administrators: 1 query."""
    staff = staff_of(user)
    if staff is None or staff.role not in PROVINCE_ROLES:
        return None
    return (
        Meeting.objects.filter(pk=pk, host_site__province_id=staff.site.province_id)
        .select_related("host_site__province", "host_site__district", "series", "room__server")
        .first()
    )


def recording_of(meeting: Meeting) -> MeetingRecording | None:
    """The meeting's recording row with its files: 2 queries (None: not recorded yet, recorded by default)."""
    return (
        MeetingRecording.objects.filter(meeting=meeting)
        .prefetch_related(_files_prefetch())
        .first()
    )


def _files_prefetch():
    return Prefetch("files", queryset=RecordingFile.objects.select_related("site__district", "site__province"))


def recording_state(*, meeting_id: int) -> str:
    """The state of a meeting's recording, for the join page's sign: 1 query."""
    return MeetingRecording.objects.filter(meeting_id=meeting_id).values_list("state", flat=True).first() or ""


def file_for_download(*, user, meeting_id: int, file_id: int) -> RecordingFile | None:
    """The file, when the user may download it (see DOWNLOAD_ROLES above) and it is there; otherwise None."""
    staff = staff_of(user)
    if staff is None or staff.role not in DOWNLOAD_ROLES:
        return None
    found = (
        RecordingFile.objects.filter(
            pk=file_id, recording__meeting_id=meeting_id, recording__state=MeetingRecording.State.READY,
            recording__meeting__host_site__province_id=staff.site.province_id,
        )
        .select_related("recording__meeting", "site")
        .first()
    )
    if found is None or staff.role in PROVINCE_ROLES:
        return found
    took_part = Participation.objects.filter(meeting_id=meeting_id, site_id=staff.site_id).exists()
    if took_part and (found.kind == RecordingFile.Kind.MIXED or found.site_id == staff.site_id):
        return found
    return None


def recordings_processing_due(*, now) -> QuerySet[MeetingRecording]:
    """Rows to process: waiting (no lease) or whose worker's lease ran out, and due (back-off passed)."""
    return MeetingRecording.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        state=MeetingRecording.State.PROCESSING,
    )


def recordings_running() -> QuerySet[MeetingRecording]:
    return MeetingRecording.objects.filter(state=MeetingRecording.State.RECORDING).select_related("meeting")


def recordings_expired(*, now) -> QuerySet[MeetingRecording]:
    return MeetingRecording.objects.filter(
        state__in=[MeetingRecording.State.READY, MeetingRecording.State.FAILED], expires_at__lte=now
    )
