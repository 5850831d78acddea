"""The Django admin, one for the whole country: operators (superusers) see everything, a province's administrator
only the rows of their province.

Every ModelAdmin an app registers is scoped here, at registration, by the path from its model to the province
(`PROVINCE_OF`): its list, its object pages (another province's row is a 404), its choices in forms (a province's
administrator picks only their own sites, lines, servers...), and its permissions (what the province
administrators' group holds, districts/administrators.py). A model with no entry is the operators' alone, so a
new model is closed until someone decides who may see it. National tables (provinces, districts, VAT rates) are
read by everyone who may read them and changed by operators only; a shared national media server (no province)
likewise.

Thai first: the admin speaks the language the person chose with the portal's switch (its cookie), else Thai
(LANGUAGE_CODE), never the browser's Accept-Language, which LocaleMiddleware would follow: most browsers send
en-US, and the admin has no switch of its own, so a Thai user met an English admin. For a Thai user the lists show
dates with their BE year (`10 ธ.ค. 2569 10:00 น.`) and the date drill-down reads BE years; the date inputs of the
change forms stay as Django's widgets write them (day/month/CE year, with its calendar), which the widget's
calendar needs.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import display_for_field
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import translation

from districts.access import Role, staff_of
from foundation.thaidate import BE_OFFSET, format_be_short

from .forms import AdminLoginForm

NATIONAL = ""  # a national table: readable by province administrators, changed only by operators

# model label -> the path from the model to its province (a Province foreign key), or to the province's code when
# the path ends in `_code`; NATIONAL for national tables.
PROVINCE_OF: dict[str, str] = {
    "districts.Province": NATIONAL,
    "districts.District": NATIONAL,
    "districts.Site": "province",
    "districts.Staff": "site__province",
    "districts.Agency": "province",
    "meetings.MediaServer": "province",  # and the shared national ones (no province): read only
    "meetings.Meeting": "host_site__province",
    "meetings.Series": "meetings__host_site__province",
    "meetings.Room": "meeting__host_site__province",
    "meetings.LeftoverRoom": "server__province",
    "join.JoinPass": "meeting__host_site__province",
    "join.CalendarFeed": "site__province",
    "join.TestCall": "site__province",
    "join.Attendance": "meeting__host_site__province",
    "join.AttendancePoll": "meeting__host_site__province",
    "notifications.Notification": "meeting__host_site__province",
    "billing.ConnectivityLine": "site__province",
    "billing.Tariff": "line__site__province",
    "billing.VatRate": NATIONAL,
    "billing.Charge": "line__site__province",
    "billing.Export": "user__staff__site__province",
    "billing.ExportLog": "user__staff__site__province",
    "foundation.AuditEntry": "province_code",
}
SHARED_WHEN_EMPTY = {"meetings.MediaServer"}  # a row with no province is a national one: visible, not changeable


def province_administrator(request):
    """The Staff row of a province administrator making the request, else None (operators included)."""
    staff = staff_of(request.user)
    return staff if staff is not None and staff.role == Role.ADMINISTRATOR else None


def _province_q(path: str, staff) -> Q:
    if path.endswith("_code"):
        return Q(**{path: staff.site.province.code})
    return Q(**{f"{path}_id": staff.site.province_id})


def scoped(queryset: QuerySet, request) -> QuerySet:
    """The rows of `queryset` the person may see in the admin: all for operators, their province's for a province
    administrator (national tables whole), none for anyone else."""
    if request.user.is_superuser:
        return queryset
    staff = province_administrator(request)
    path = PROVINCE_OF.get(queryset.model._meta.label)
    if staff is None or path is None:
        return queryset.none()
    if path == NATIONAL:
        return queryset
    visible = _province_q(path, staff)
    if queryset.model._meta.label in SHARED_WHEN_EMPTY:
        visible |= Q(**{f"{path}__isnull": True})
    # By primary key: a path through a reverse relation (a series' meetings) would repeat rows.
    return queryset.filter(pk__in=queryset.model._default_manager.filter(visible).values("pk"))


def _thai() -> bool:
    return (translation.get_language() or "").startswith("th")


def be_date_column(field: models.Field):
    """A list column showing `field` (a date or date-time) with its BE year for a Thai user, sorted by the field."""

    @admin.display(description=field.verbose_name, ordering=field.name)
    def column(obj):
        value = getattr(obj, field.attname)
        if value is None or not _thai():
            return display_for_field(value, field, admin.site.empty_value_display)
        return format_be_short(value, with_time=isinstance(value, datetime))

    column.__name__ = f"{field.name}_be"
    return column


_CE_YEAR = re.compile(r"\b(19|20)\d\d\b")


def be_years(text: str) -> str:
    """A date drill-down title with its CE year as BE (`ธันวาคม 2026` -> `ธันวาคม 2569`) for a Thai user."""
    if not _thai():
        return text
    return _CE_YEAR.sub(lambda found: str(int(found.group(0)) + BE_OFFSET), str(text))


class ProvinceScopedAdmin(admin.ModelAdmin):
    """Mixed into every registered ModelAdmin by PrachumAdminSite.register."""

    def get_list_display(self, request):
        """Every date or date-time column with its BE year (be_date_column)."""
        shown = []
        for name in super().get_list_display(request):
            try:
                field = self.model._meta.get_field(name) if isinstance(name, str) else None
            except FieldDoesNotExist:  # a method or an attribute of the admin: shown as it is
                field = None
            is_date = isinstance(field, models.DateField)  # DateTimeField is one too
            shown.append(be_date_column(field) if is_date else name)
        return shown

    def get_list_display_links(self, request, list_display):
        links = super().get_list_display_links(request, list_display)
        if links is None:
            return None
        # A link on a date column goes with it onto its BE column.
        by_name = {getattr(item, "__name__", item): item for item in list_display}
        return [by_name.get(f"{link}_be", link) if isinstance(link, str) else link for link in links]

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request)

    def get_object(self, request, object_id, from_field=None):
        found = super().get_object(request, object_id, from_field)
        if found is None:  # unknown, or another province's: the same answer
            raise Http404("ไม่พบข้อมูลนี้ หรือไม่อยู่ในจังหวัดของท่าน")
        return found

    def _may_change(self, request, obj) -> bool:
        if request.user.is_superuser:
            return True
        path = PROVINCE_OF.get(self.model._meta.label)
        if path is None or path == NATIONAL or province_administrator(request) is None:
            return False
        if obj is None:
            return True
        if self.model._meta.label in SHARED_WHEN_EMPTY and getattr(obj, f"{path}_id", None) is None:
            return False  # a shared national row
        return scoped(self.model._default_manager.filter(pk=obj.pk), request).exists()

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        return obj is None or scoped(self.model._default_manager.filter(pk=obj.pk), request).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_change(request, obj)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self._may_change(request, None)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return _choices_scoped(field, db_field, request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return _choices_scoped(field, db_field, request)


def _choices_scoped(field, db_field, request):
    """A province administrator chooses among their province's rows only (their own province for a Province
    field, which is then required: a row they make is never a national one); a shared national media server may
    be chosen. Operators choose among everything."""
    if field is None or request.user.is_superuser or not hasattr(field, "queryset"):
        return field
    staff = province_administrator(request)
    label = db_field.related_model._meta.label
    if label == "districts.Province":
        field.queryset = field.queryset.filter(pk=staff.site.province_id) if staff else field.queryset.none()
        field.required = True
    elif label in PROVINCE_OF:
        field.queryset = scoped(field.queryset, request)
    return field


def admin_language(request) -> str:
    """The portal's language as the person chose it (the switch's cookie), else Thai; never Accept-Language."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def in_admin_language(view):
    """Run `view` and render its answer in the admin's language (admin_language)."""

    @wraps(view)
    def speaking(request, *args, **kwargs):
        language = admin_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()  # inside the override: a TemplateResponse renders after the view otherwise
        response.headers["Content-Language"] = language
        return response

    return speaking


class PrachumAdminSite(admin.AdminSite):
    site_header = "prachum"
    site_title = "prachum"
    login_form = AdminLoginForm  # an empty field says what to type

    def admin_view(self, view, cacheable=False):
        return in_admin_language(super().admin_view(view, cacheable))

    def login(self, request, extra_context=None):
        return in_admin_language(super().login)(request, extra_context)

    def logout(self, request, extra_context=None):
        return in_admin_language(super().logout)(request, extra_context)

    def register(self, model_or_iterable, admin_class=None, **options):
        models = [model_or_iterable] if hasattr(model_or_iterable, "_meta") else list(model_or_iterable)
        for model in models:
            base = admin_class or admin.ModelAdmin
            scoped_class = type(base.__name__, (ProvinceScopedAdmin, base), {"__module__": base.__module__})
            super().register(model, scoped_class, **options)
