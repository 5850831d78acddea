from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("การแจ้งเตือน")

    def ready(self) -> None:
        # Local: the services need the models, which are loaded only once ready() runs.
        from foundation.personal_data import PersonalDataProvider, register  # noqa: PLC0415 - see above

        from .services import person_notifications_erase, person_notifications_export  # noqa: PLC0415 - see above

        register(
            "notifications", PersonalDataProvider(export=person_notifications_export, erase=person_notifications_erase)
        )
