"""System checks of the project shell: settings that would make one deployment behave as several."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

PROCESS_LOCAL_CACHES = {"django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache"}


@checks.register(checks.Tags.caches)
def shared_cache_with_several_workers(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """With more than one web worker the cache must be shared (Redis): a per-process cache would give each worker
    its own QR drawings and its own task counters for /metrics, and whatever is added to the cache later would be
    stale in every worker but the one that changed it."""
    workers = settings.PRACHUM_WEB_WORKERS
    backend = settings.CACHES["default"]["BACKEND"]
    if workers > 1 and backend in PROCESS_LOCAL_CACHES:
        return [
            checks.Error(
                f"The cache is kept in each process ({backend}) but {workers} web workers will run.",
                hint="Set CACHE_URL to the shared Redis (e.g. redis://127.0.0.1:6379/1), "
                "or GUNICORN_WORKERS=1 for a single worker.",
                id="portal.E001",
            )
        ]
    return []


LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}  # nosec B104  # noqa: S104 - names compared, nothing bound


@checks.register(checks.Tags.security, deploy=True)
def portal_base_url_is_public(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """In production every link the portal writes (join links, QR codes, calendar files, emails) starts with
    PORTAL_BASE_URL: a missing, loopback or plain-http address would hand every site a dead link."""
    url = settings.PORTAL_BASE_URL
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or host in LOOPBACK_HOSTS or host.startswith("127.") or host.endswith(".localhost"):
        return [
            checks.Error(
                f"PORTAL_BASE_URL is {url!r}: join links, QR codes, calendar files and emails would point there.",
                hint="Set PORTAL_BASE_URL to the portal's public https address, e.g. https://prachum.udonthani.go.th",
                id="portal.E002",
            )
        ]
    return []
