"""Reads for places and people."""

from django.db.models import QuerySet

from .access import sites_visible_to, staff_of
from .models import Agency, Site


def site_list_for(user) -> QuerySet[Site]:
    return sites_visible_to(user).select_related("province", "district").order_by("kind", "district__code")


def site_get_by_code(*, code: str) -> Site | None:
    """A site by its URL code: a district code (4 digits) or a province code (2 digits) for the hall."""
    queryset = Site.objects.select_related("province", "district")
    if len(code) == 4 and code.isdigit():
        return queryset.filter(district__code=code).first()
    if len(code) == 2 and code.isdigit():
        return queryset.filter(province__code=code, kind=Site.Kind.PROVINCIAL_HALL).first()
    return None


def agencies_for_scheduling(*, user) -> QuerySet[Agency]:
    """The active agencies of the user's province, by name: the ones a meeting of theirs can invite."""
    staff = staff_of(user)
    province_id = staff.site.province_id if staff is not None else None
    return Agency.objects.filter(province_id=province_id, is_active=True).order_by("name")
