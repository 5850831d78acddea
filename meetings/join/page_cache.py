"""The clerk's page keeps its rendered meeting list in the cache (Redis in production, CACHE_URL), per site.

Each site has a version in the cache (portal/versioned_cache.py): the page reads it *before* it reads any row,
and keeps what it rendered under it (one entry per site, language and viewer). Every service that changes what
a site's page shows (scheduling, rescheduling, editing or cancelling a meeting, issuing or revoking a pass,
renewing the feed, recording a test call) calls `site_pages_changed`, which gives the site a new version at once
and again when the transaction commits: a page rendered from rows older than a write is never shown after that
write commits.

An entry also expires when its contents would change with the clock (a Join button opens, a meeting ends, the
day changes: see the selector's `valid_until`) and after MAX_AGE at the latest, which bounds what a write that
bypassed the services (a shell, a data fix) can leave on a page. A cache that fails is logged and skipped: the
page is rendered from the database as if nothing were cached.

With several web processes the cache must be shared (Redis, as deploy/ configures it): with a process-local
cache, a write in one process leaves the other processes' lists as they were for up to MAX_AGE.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path

from django.apps import apps
from django.conf import settings

from portal.versioned_cache import VersionedEntries

# The longest a rendered page is kept, in seconds, whatever happens.
MAX_AGE = 300
site_pages = VersionedEntries("join:site-page", max_age=MAX_AGE)


def site_page_get(site_id: int, variant: tuple[str, ...]) -> tuple[str | None, str | None]:
    """(the cached page if it is of the site's current version, that version) in one cache round trip.

    The version is the one to keep a new rendering under: read before the rows are. (None, None) when the cache
    cannot be reached: render, and keep nothing."""
    return site_pages.get(site_id, variant)


def site_page_set(site_id: int, variant: tuple[str, ...], version: str | None, html: str, seconds: float) -> None:
    """Keep a rendering made from rows read after `version` was, for `seconds` (at most MAX_AGE)."""
    site_pages.set(site_id, variant, version, html, seconds)


def site_pages_changed(*, site_ids: Iterable[int]) -> None:
    """The sites' pages show something else now: new versions at once, and again once the transaction commits
    (a page rendered in between, from the rows before the commit, is then never read)."""
    site_pages.changed(int(site_id) for site_id in site_ids if site_id)


def deployment_digest() -> str:
    """A digest of what a page is made with besides the rows: the templates, the translations and the static
    files' manifest of this deployment. Part of every key, so that after a deploy no page made by the previous
    one is shown (the cache outlives the processes). Read once per process (each time while DEBUG, when
    templates reload)."""
    if settings.DEBUG:
        return _deployment_digest()
    return _deployment_digest_once()


def _deployment_sources() -> list[Path]:
    base = Path(settings.BASE_DIR)
    roots = [Path(d) for d in settings.TEMPLATES[0].get("DIRS", [])] + [Path(p) for p in settings.LOCALE_PATHS]
    roots += [Path(app.path) / part for app in apps.get_app_configs() if Path(app.path).is_relative_to(base)
              for part in ("templates", "locale")]
    files = sorted({f for root in roots if root.is_dir() for f in root.rglob("*") if f.suffix in (".html", ".mo")})
    manifest = Path(settings.STATIC_ROOT or base / "no-static-root") / "staticfiles.json"
    return [*files, manifest] if manifest.is_file() else files


def _deployment_digest() -> str:
    digest = hashlib.sha256()
    for path in _deployment_sources():
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


_deployment_digest_once = functools.cache(_deployment_digest)
