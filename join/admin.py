"""Back-office pages for join passes, calendar feeds, test calls and attendance.

Tokens, pins and test-room secrets are capabilities: they never show in the admin. Passes and feeds are revoked
(and reissued) through the services, never edited by hand; attendance is what the media server reported and
is read-only.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Attendance, CalendarFeed, JoinPass, TestCall


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(JoinPass)
class JoinPassAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "site", "agency", "created_at", "revoked_at", "revoked_reason")
    list_filter = ("revoked_at",)
    search_fields = ("meeting__title", "site__name", "agency__name")
    list_select_related = ("meeting", "site", "agency")
    fields = ("meeting", "site", "agency", "created_at", "revoked_at", "revoked_reason")
    readonly_fields = fields
    actions = ["revoke_and_reissue"]

    @admin.action(description=_("ยกเลิกลิงก์ที่เลือกและออกลิงก์ใหม่ให้สถานที่"))
    def revoke_and_reissue(self, request, queryset):
        count = 0
        for join_pass in queryset.filter(revoked_at__isnull=True):
            services.join_pass_revoke(join_pass=join_pass, reason=f"ผู้ดูแลระบบ {request.user.username}")
            count += 1
        self.message_user(request, _("ออกลิงก์ใหม่แล้ว %(count)d รายการ") % {"count": count}, messages.SUCCESS)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ("site", "created_at", "revoked_at")
    list_filter = ("revoked_at",)
    fields = ("site", "created_at", "revoked_at")
    readonly_fields = fields
    actions = ["renew"]

    @admin.action(description=_("ออกลิงก์ปฏิทินใหม่ (ลิงก์เดิมใช้ไม่ได้)"))
    def renew(self, request, queryset):
        sites = {feed.site for feed in queryset.select_related("site").filter(revoked_at__isnull=True)}
        for site in sites:
            services.calendar_feed_renew(site=site)
        self.message_user(request, _("ออกลิงก์ปฏิทินใหม่แล้ว %(count)d สถานที่") % {"count": len(sites)})


@admin.register(TestCall)
class TestCallAdmin(ReadOnlyAdmin):
    list_display = ("site", "started_at", "result", "finished_at", "media_flowing", "saw_video", "heard_audio")
    list_filter = ("result", "site")
    list_select_related = ("site",)
    date_hierarchy = "started_at"
    fields = ("site", "server", "room_number", "started_by", "join_pass", "started_at", "result", "saw_video",
              "heard_audio", "media_flowing", "finished_at", "note", "room_closed_at")
    readonly_fields = fields


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "site", "agency", "display", "joined_at", "left_at")
    list_filter = ("site",)
    search_fields = ("meeting__title", "display")
    list_select_related = ("meeting", "site", "agency")
    date_hierarchy = "joined_at"
    fields = ("meeting", "site", "agency", "display", "joined_at", "last_seen_at", "left_at")
    readonly_fields = fields
