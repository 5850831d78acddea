from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "prachum"

    def ready(self) -> None:
        from prometheus_client import REGISTRY

        from .metrics import PortalCollector, connect_task_signals

        connect_task_signals()
        if not getattr(PortalConfig, "_collector_registered", False):
            REGISTRY.register(PortalCollector())
            PortalConfig._collector_registered = True
