from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordingsConfig(AppConfig):
    """The meeting kept as evidence (MDES standard B.E. 2563): recorded by the media server, processed into files a
    person can play, stored outside the web root, downloaded through a permission check, deleted when they expire."""

    name = "recordings"
    verbose_name = _("การบันทึกการประชุม")
