from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MinutesConfig(AppConfig):
    """The minutes (รายงานการประชุม): drafted, sent, approved by the next meeting, locked, signed, versioned."""

    name = "minutes"
    verbose_name = _("รายงานการประชุม")
