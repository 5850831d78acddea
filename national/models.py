"""The national role: a permission, not a Staff role.

Ministry and Department of Provincial Administration users see every province read-only; they belong to no site,
so they have no Staff row (Staff.site is a required site, and every province-scoped check reads it). They hold the
permission ``national.view_national``, given by the group ``ผู้บริหารระดับประเทศ`` (created by this app's data
migration); superusers, the installation's operators, hold it too.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

VIEW_NATIONAL = "national.view_national"
NATIONAL_GROUP = "ผู้บริหารระดับประเทศ"


class NationalOverview(models.Model):
    """No rows and no table: the holder of the national permission (a permission belongs to a model)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_national", _("ดูภาพรวมระดับประเทศ"))]
        verbose_name = _("ภาพรวมระดับประเทศ")
        verbose_name_plural = _("ภาพรวมระดับประเทศ")

    def __str__(self) -> str:  # pragma: no cover - never instantiated
        return str(self._meta.verbose_name)
