from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    """A meeting kept as evidence (MDES standard B.E. 2563): the sites' fault reports, and the evidence pack — the
    signed minutes, roll, attendance, votes, documents, recordings and traffic log with a signed manifest."""

    name = "evidence"
    verbose_name = _("หลักฐานการประชุม")
