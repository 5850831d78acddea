"""Back-office pages for meetings and media servers. Secrets (room pin and secret, server secrets) never show in
lists; a room's secret is never shown at all, and a server's secrets are not in the database to begin with."""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import AgencyInvitation, Document, MediaServer, Meeting, Participation, Room, Series


@admin.register(MediaServer)
class MediaServerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "url", "capacity_sites", "state", "last_check_ok", "last_checked_at")
    list_filter = ("kind", "state", "last_check_ok")
    search_fields = ("name", "url")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ("last_checked_at", "last_check_ok", "last_check_detail")
    fieldsets = (
        (None, {"fields": ("name", "kind", "province", "state", "capacity_sites")}),
        (_("ที่อยู่"), {"fields": ("url", "admin_url", "public_url", "options")}),
        (_("รหัสลับ (อ่านจากตัวแปรสภาพแวดล้อม ไม่เก็บในฐานข้อมูล)"), {"fields": ("secret_env",)}),
        (_("สุขภาพ"), {"fields": readonly_fields}),
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        """A province's administrator names only their province's secrets (`P<code>_...`): the portal sends a
        server's secrets to the address on its row, so another prefix would send another server's secrets
        wherever that row points."""
        form = super().get_form(request, obj, change=change, **kwargs)
        if request.user.is_superuser:
            return form
        staff = getattr(request.user, "_prachum_staff", None) or getattr(request.user, "staff", None)
        prefix = f"P{staff.site.province.code}_" if staff is not None else "?"

        class ProvinceServerForm(form):
            def clean_secret_env(self):
                value = self.cleaned_data.get("secret_env", "")
                if not value.startswith(prefix):
                    raise forms.ValidationError(
                        _("ชื่อชุดตัวแปรของเซิร์ฟเวอร์ของจังหวัดต้องขึ้นต้นด้วย %(prefix)s เช่น %(prefix)sJANUS "
                          "(ผู้ดูแลการติดตั้งตั้งค่าตัวแปรเหล่านี้ให้)") % {"prefix": prefix}
                    )
                return value

        return ProvinceServerForm


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    fields = ("site", "role", "active")
    readonly_fields = ("site", "role", "active")
    can_delete = False


class AgencyInvitationInline(admin.TabularInline):
    model = AgencyInvitation
    extra = 0
    readonly_fields = ("agency",)
    can_delete = False


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 0
    fields = ("name", "kind", "size", "file", "uploaded_at")
    readonly_fields = fields
    can_delete = False


class RoomInline(admin.StackedInline):
    model = Room
    extra = 0
    can_delete = False
    fields = ("server", "number", "name", "state", "desired_version", "provisioned_version", "attempts",
              "last_error", "next_attempt_at", "provisioned_at", "updated_at")
    readonly_fields = fields  # pin and secret are left out on purpose


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    """Read mostly: scheduling goes through the scheduling pages, which check clashes and provision rooms."""

    list_display = ("title", "start", "end", "host_site", "status", "sequence", "room_state")
    list_filter = ("status", "host_site__province")
    search_fields = ("title",)
    date_hierarchy = "start"
    list_select_related = ("host_site", "room")
    readonly_fields = ("host_site", "start", "end", "series", "occurrence", "status", "sequence", "created_by",
                       "created_at", "updated_at")
    fields = ("title", "agenda", *readonly_fields)
    inlines = (RoomInline, ParticipationInline, AgencyInvitationInline, DocumentInline)

    @admin.display(description=_("ห้องประชุม"))
    def room_state(self, meeting: Meeting) -> str:
        room = getattr(meeting, "room", None)
        return room.get_state_display() if room else "—"

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "meeting", "server", "state", "attempts", "next_attempt_at", "updated_at")
    list_filter = ("state", "server")
    search_fields = ("name", "meeting__title")
    list_select_related = ("meeting", "server")
    exclude = ("pin", "secret")
    readonly_fields = ("meeting", "server", "number", "name", "publishers", "state", "desired_version",
                       "provisioned_version", "attempts", "last_error", "next_attempt_at", "provisioned_at",
                       "reservation_start", "reservation_owner", "updated_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ("title", "frequency", "until", "count", "created_at")
    readonly_fields = ("title", "frequency", "until", "count", "created_by", "created_at")

    def has_add_permission(self, request) -> bool:
        return False

