"""The sign-in backend: Django's ModelBackend, reading the user of a session with their Staff row (its site,
district and province) in one query, from the database each time: a role taken away, a password changed or an
account disabled counts from the next request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .models import Staff


class PrincipalBackend(ModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        try:  # get(), as ModelBackend does: one row by its key needs no ORDER BY (first() would add one)
            user = user_model._default_manager.select_related(
                "staff__site__province", "staff__site__district"
            ).get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        try:
            user._prachum_staff = user.staff
        except Staff.DoesNotExist:
            user._prachum_staff = None
        return user
