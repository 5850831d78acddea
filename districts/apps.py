from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistrictsConfig(AppConfig):
    name = "districts"
    verbose_name = _("สถานที่และบุคลากร")

    def ready(self) -> None:
        # Local: the services need the models, which are loaded only once ready() runs.
        from foundation.personal_data import PersonalDataProvider, register  # noqa: PLC0415 - see above

        from .services import person_data_erase, person_data_export  # noqa: PLC0415 - see above

        register("account", PersonalDataProvider(export=person_data_export, erase=person_data_erase))

        from django.db.models.signals import post_migrate  # noqa: PLC0415 - see above

        from .administrators import group_sync  # noqa: PLC0415 - see above

        # The province administrators' group and its permissions, in step with districts/administrators.py: after
        # each app's migrations (its permissions are made by then), so the apps after this one count too.
        post_migrate.connect(group_sync, dispatch_uid="districts-administrators-group")
