"""Every read of the meetings pages and API, with a fixed number of queries whatever the data size."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from districts.access import staff_of
from districts.models import Site, Staff

from .models import AgencyInvitation, Document, Meeting, Participation


def _province_id(user) -> int | None:
    staff = staff_of(user)
    return staff.site.province_id if staff is not None else None


def meetings_visible_to(user) -> QuerySet[Meeting]:
    """Meetings hosted in the user's province (schedulers and administrators see their whole province)."""
    province_id = _province_id(user)
    if province_id is None:
        return Meeting.objects.none()
    return Meeting.objects.filter(host_site__province_id=province_id)


def meeting_list_upcoming(*, user, now: datetime | None = None, include_cancelled: bool = True) -> QuerySet[Meeting]:
    """Meetings not over yet, soonest first, with what the list shows: 1 query."""
    now = now or timezone.now()
    queryset = meetings_visible_to(user).filter(end__gte=now)
    if not include_cancelled:
        queryset = queryset.exclude(status=Meeting.Status.CANCELLED)
    return (
        queryset.select_related("host_site__district", "host_site__province", "room__server", "series")
        .annotate(site_count=Count("participations", distinct=True))
        .order_by("start", "pk")
    )


def meeting_list_for_api(*, user) -> QuerySet[Meeting]:
    return (
        meetings_visible_to(user)
        .select_related("host_site__district", "host_site__province", "room__server", "series")
        .prefetch_related(
            Prefetch("participations", queryset=Participation.objects.select_related("site__district",
                                                                                      "site__province")),
            Prefetch("agency_invitations", queryset=AgencyInvitation.objects.select_related("agency")),
        )
        .order_by("start", "pk")
    )


def meeting_detail(*, user, pk: int) -> Meeting | None:
    """One meeting with its sites, agencies, documents, series and room: 4 queries."""
    return (
        meetings_visible_to(user)
        .select_related(
            "host_site__district", "host_site__province", "room__server", "series", "created_by"
        )
        .prefetch_related(
            Prefetch(
                "participations",
                queryset=Participation.objects.select_related("site__district", "site__province").order_by(
                    "site__kind", "site__district__code"
                ),
            ),
            Prefetch("agency_invitations", queryset=AgencyInvitation.objects.select_related("agency")),
            "documents",
        )
        .filter(pk=pk)
        .first()
    )


def sites_for_scheduling(*, user) -> QuerySet[Site]:
    province_id = _province_id(user)
    return (
        Site.objects.filter(province_id=province_id, is_active=True)
        .select_related("district", "province")
        .order_by("kind", "district__code")
    )


def document_for(*, user, meeting_id: int, document_id: int) -> Document | None:
    """A meeting's document, if the user may open it: the province's schedulers and administrators, and the
    clerks of the sites taking part (they present from it). Finance never needs documents."""
    staff = staff_of(user)
    if staff is None or staff.role == Staff.Role.FINANCE:
        return None
    documents = Document.objects.select_related("meeting").filter(pk=document_id, meeting_id=meeting_id)
    if staff.role == Staff.Role.CLERK:
        documents = documents.filter(meeting__participations__site_id=staff.site_id)
    else:
        documents = documents.filter(meeting__host_site__province_id=staff.site.province_id)
    return documents.first()


def meeting_for_documents(*, user, meeting_id: int) -> Meeting | None:
    """A meeting of the user's province (whose documents its page lists and takes): one query."""
    return meetings_visible_to(user).filter(pk=meeting_id).first()


def meeting_documents(*, meeting: Meeting) -> QuerySet[Document]:
    """A meeting's documents in the order they were attached, with who attached them: one query."""
    return Document.objects.filter(meeting=meeting).select_related("uploaded_by").order_by("uploaded_at", "pk")
