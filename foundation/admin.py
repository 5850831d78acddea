from django.contrib import admin

from .models import AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the services only (the audit log, charges, exports): the admin lists them, never edits."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is written by the services, never by hand."""

    list_display = ("at", "actor_username", "action", "target_type", "target_repr")
    list_filter = ("action", "target_type")
    search_fields = ("actor_username", "target_repr", "target_id")
    date_hierarchy = "at"
