from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

from .checks import join_page_libraries


class JoinConfig(AppConfig):
    name = "join"
    verbose_name = _("การเข้าร่วมประชุม")

    def ready(self) -> None:
        checks.register(join_page_libraries, checks.Tags.staticfiles)
