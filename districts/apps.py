from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistrictsConfig(AppConfig):
    name = "districts"
    verbose_name = _("สถานที่และบุคลากร")

    def ready(self) -> None:
        from portal.personal_data import PersonalDataProvider, register

        from .principals import connect_signals
        from .services import person_data_erase, person_data_export

        connect_signals()
        register("account", PersonalDataProvider(export=person_data_export, erase=person_data_erase))
