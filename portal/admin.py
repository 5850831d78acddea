"""The Django admin of API tokens, in place of django-rest-knox's own.

knox's admin lets whoever may add tokens mint one for any person and shows its key: a way to act as someone else.
Here the installation's operators (superusers) see who holds tokens, from when and until when, and revoke them;
nobody adds or changes a token in the admin (people get theirs from `manage.py api_token_create`), and no key is
shown: the database holds only each key's SHA-512 digest and its first 15 characters, of which 8 are listed to
tell a person's tokens apart.
"""

from __future__ import annotations

import knox.admin  # noqa: F401 - knox's registration, imported first to be undone below
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

if admin.site.is_registered(AuthToken):  # knox's admin registers itself on import
    admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "key_start", "created", "expiry")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = ("user", "key_start", "created", "expiry")
    readonly_fields = fields
    ordering = ("-created",)

    @admin.display(description=_("ต้นโทเค็น"))
    def key_start(self, token: AuthToken) -> str:
        return f"{token.token_key[:8]}…"

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser
