from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class MinutesConfig(AppConfig):
    """The minutes (รายงานการประชุม): drafted, sent, approved by the next meeting, locked, signed, versioned."""

    name = "minutes"
    verbose_name = _("รายงานการประชุม")

    def ready(self) -> None:
        from .checks import minutes_signing_certificate  # noqa: PLC0415

        # Deploy only (`manage.py check --deploy`, the production start): development and tests sign with their own.
        checks.register(minutes_signing_certificate, "minutes", deploy=True)
