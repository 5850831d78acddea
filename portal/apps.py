from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    default = True
    name = "portal"
    verbose_name = "prachum"

    def ready(self) -> None:
        # Local: the checks and the collector read the apps' models, loaded only once ready() runs.
        from django.utils.module_loading import autodiscover_modules  # noqa: PLC0415 - see above
        from prometheus_client import REGISTRY  # noqa: PLC0415 - see above

        from . import checks  # noqa: F401, PLC0415 - registers the system checks
        from .metrics import PortalCollector, connect_task_signals  # noqa: PLC0415 - see above

        # Every app's tasks registered in every process: services send them by name (foundation/enqueue.py),
        # and in eager mode (tests, the embedded server) the registered task runs at once.
        autodiscover_modules("tasks")
        connect_task_signals()
        if not getattr(PortalConfig, "_collector_registered", False):
            REGISTRY.register(PortalCollector())
            PortalConfig._collector_registered = True


class PrachumAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with its site scoped by province (portal/admin_site.py)."""

    default = False  # the portal app's own config is PortalConfig
    default_site = "portal.admin_site.PrachumAdminSite"
