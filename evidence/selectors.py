"""Every read of the fault reports and the evidence packs, at a fixed number of queries."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from districts.access import Role, staff_of
from meetings.models import Meeting

from .models import EvidencePack, FaultReport

# The control centre's people (who see and resolve fault reports) and who may ask for and download a meeting's
# evidence pack: the province's schedulers and administrators. Clerks and finance officers: neither.
PROVINCE_ROLES = (Role.SCHEDULER, Role.ADMINISTRATOR)


def meeting_of_province(*, user, pk: int) -> Meeting | None:
    """A meeting of the user's province, for its schedulers and administrators: 0 or 1 query (the staff row is read
    once per request)."""
    staff = staff_of(user)
    if staff is None or staff.role not in PROVINCE_ROLES:
        return None
    return (
        Meeting.objects.filter(pk=pk, host_site__province_id=staff.site.province_id)
        .select_related("host_site__province", "host_site__district", "series")
        .first()
    )


def _reports() -> QuerySet[FaultReport]:
    return FaultReport.objects.select_related("join_pass__site", "join_pass__agency")


def open_fault_reports(*, meeting_id: int) -> list[FaultReport]:
    """The meeting's open reports, oldest first: 1 query."""
    return list(_reports().filter(meeting_id=meeting_id, resolved_at__isnull=True).order_by("reported_at", "pk"))


def meeting_fault_reports(*, meeting_id: int) -> list[FaultReport]:
    """Every report of the meeting (open and resolved), oldest first: 1 query."""
    return list(_reports().select_related("resolved_by").filter(meeting_id=meeting_id).order_by("reported_at", "pk"))


def pass_open_fault_reports(*, join_pass_id: int) -> list[FaultReport]:
    """What the reporting pass itself has open (its own only): 1 query."""
    return list(FaultReport.objects.filter(join_pass_id=join_pass_id, resolved_at__isnull=True).order_by("pk"))


def fault_report_of_province(*, user, meeting_id: int, report_id: int) -> FaultReport | None:
    staff = staff_of(user)
    if staff is None or staff.role not in PROVINCE_ROLES:
        return None
    return (
        _reports().select_related("meeting")
        .filter(pk=report_id, meeting_id=meeting_id, meeting__host_site__province_id=staff.site.province_id)
        .first()
    )


def meeting_packs(*, meeting_id: int) -> list[EvidencePack]:
    """The meeting's packs, newest first: 1 query."""
    return list(EvidencePack.objects.filter(meeting_id=meeting_id).select_related("requested_by")
                .order_by("-requested_at", "-pk")[:20])


def pack_for_download(*, user, meeting_id: int, pack_id: int) -> EvidencePack | None:
    """A ready pack of a meeting of the user's province, for its schedulers and administrators; otherwise None."""
    staff = staff_of(user)
    if staff is None or staff.role not in PROVINCE_ROLES:
        return None
    return (
        EvidencePack.objects.filter(pk=pack_id, meeting_id=meeting_id, state=EvidencePack.State.READY,
                                    meeting__host_site__province_id=staff.site.province_id)
        .select_related("meeting").first()
    )


def packs_due(*, now) -> QuerySet[EvidencePack]:
    """Rows to build: requested, or building whose worker's lease ran out (a killed worker, a lost message)."""
    return EvidencePack.objects.filter(
        Q(state=EvidencePack.State.REQUESTED, lease_until__isnull=True)
        | Q(state__in=[EvidencePack.State.REQUESTED, EvidencePack.State.BUILDING], lease_until__lt=now)
    )
