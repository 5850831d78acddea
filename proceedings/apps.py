from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceedingsConfig(AppConfig):
    """What happens in a meeting under the Electronic Meetings Decree B.E. 2563: each site's roll-call and the votes."""

    name = "proceedings"
    verbose_name = _("การลงชื่อและการลงมติ")
