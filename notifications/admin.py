"""The outbox in the Django admin: read-only (rows change only through the services)."""

from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "meeting",
        "kind",
        "reminder_minutes",
        "channel",
        "address",
        "state",
        "attempts",
        "sent_at",
    )
    list_filter = ("state", "kind", "channel", "audience")
    search_fields = ("address", "recipient_name", "dedupe_key", "message_id", "meeting__title")
    list_select_related = ("meeting",)
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
