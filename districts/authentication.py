"""The sign-in backend: Django's ModelBackend, with the user of a session read through districts.principals
(the user and their Staff row in one cache read, or one query)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .principals import principal_get


class PrincipalBackend(ModelBackend):
    def get_user(self, user_id):
        user = principal_get(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
