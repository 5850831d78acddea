"""Who may see and do what. Roles live on Staff; every page and API endpoint asks here.

- provincial scheduler: meetings and the control centre of their province
- district clerk: their own site only
- finance officer: charges and reports — of the province at the hall, of their own district at a district office
- administrator: everything of their province, and the Django admin
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission

from .models import Site, Staff

Role = Staff.Role


def staff_of(user) -> Staff | None:
    """The Staff row of a user with its site, district and province, or None; read once per request (the sign-in
    backend reads it with the user of a session, districts.authentication; an API token's user reads it here)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_prachum_staff"):
        user._prachum_staff = (
            Staff.objects.select_related("site__province", "site__district").filter(user_id=user.pk).first()
        )
    return user._prachum_staff


def has_role(user, roles: Iterable[str]) -> bool:
    staff = staff_of(user)
    return staff is not None and staff.role in set(roles)


def sites_visible_to(user) -> QuerySet[Site]:
    """The sites whose pages a user may open."""
    staff = staff_of(user)
    if staff is None:
        return Site.objects.none()
    if staff.is_province_wide:
        return Site.objects.filter(province_id=staff.site.province_id)
    return Site.objects.filter(pk=staff.site_id)


def can_view_site(user, site: Site) -> bool:
    staff = staff_of(user)
    if staff is None:
        return False
    if staff.is_province_wide:
        return site.province_id == staff.site.province_id
    return site.pk == staff.site_id


def require_site(user, site: Site) -> None:
    if not can_view_site(user, site):
        raise PermissionDenied(_("ท่านไม่มีสิทธิ์เข้าถึงข้อมูลของสถานที่นี้"))


class RoleRequiredMixin(LoginRequiredMixin):
    """A page for some roles only. Anonymous users go to the login page; others get 403."""

    allowed_roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_role(request.user, self.allowed_roles):
            raise PermissionDenied(_("หน้านี้สำหรับบทบาทอื่น: หากต้องการสิทธิ์ โปรดติดต่อผู้ดูแลระบบของจังหวัด"))
        return super().dispatch(request, *args, **kwargs)


class HasRole(BasePermission):
    """DRF: the same rule as RoleRequiredMixin. Set `allowed_roles` on the view."""

    message = gettext_lazy("ท่านไม่มีสิทธิ์ใช้งานส่วนนี้")

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, getattr(view, "allowed_roles", ()))
