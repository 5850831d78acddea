from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("การประชุม")

    def ready(self) -> None:
        from portal.health import EXTRA_CHECKS

        from .media import media_servers_health

        EXTRA_CHECKS["media_servers"] = media_servers_health
