from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("การประชุม")

    def ready(self) -> None:
        from portal.health import EXTRA_CHECKS

        from .media import media_servers_health

        EXTRA_CHECKS["media_servers"] = media_servers_health

        from portal.personal_data import PersonalDataProvider, register

        from .notifications.services import person_notifications_erase, person_notifications_export

        register(
            "notifications", PersonalDataProvider(export=person_notifications_export, erase=person_notifications_erase)
        )
