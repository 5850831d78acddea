"""The clerk's page keeps its rendered meeting list in the cache (Redis in production, CACHE_URL), per site.

Each site has a version in the cache. The page reads the version *before* it reads any row, and keeps what it
rendered with that version (one entry per site, language and kind of viewer; the version and the entry are read
in one round trip, and an entry of another version is not used). Every service that changes what a site's page
shows (scheduling, rescheduling, editing or cancelling a meeting, issuing or revoking a pass, renewing the feed,
recording a test call) calls `site_pages_changed`, which gives the site a new version at once and again when
the transaction commits. So a list rendered from rows older than a write is never read after that write
commits: a reader that rendered between the two bumps stored its list with a version that is not the current
one any more.

An entry also expires when its contents would change with the clock (a Join button opens, a meeting ends, the
day changes: see the selector's `valid_until`) and after MAX_AGE at the latest, which bounds what a write that
bypassed the services (a shell, a data fix) can leave on a page. A cache that fails is logged and skipped: the
page is rendered from the database as if nothing were cached.

With several web processes the cache must be shared (Redis, as deploy/ configures it): with a process-local
cache, a write in one process leaves the other processes' lists as they were for up to MAX_AGE.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

# The longest a rendered list is kept, in seconds, whatever happens.
MAX_AGE = 300
_VERSION = "join:site-page:{site_id}:version"


def _version_key(site_id: int) -> str:
    return _VERSION.format(site_id=site_id)


def _entry_key(site_id: int, variant: tuple[str, ...]) -> str:
    return ":".join(("join:site-page", str(site_id), *variant))


def site_page_get(site_id: int, variant: tuple[str, ...]) -> tuple[str | None, str | None]:
    """(the cached list if it is of the site's current version, that version) in one cache round trip.

    The version is the one to keep a new rendering under: read before the rows are. (None, None) when the cache
    cannot be reached: render, and keep nothing."""
    version_key, entry_key = _version_key(site_id), _entry_key(site_id, variant)
    try:
        found = cache.get_many([version_key, entry_key])
        version = found.get(version_key)
        if version is None:  # first use, or the cache dropped it: any entry there is of an older version
            cache.add(version_key, secrets.token_hex(8), timeout=None)
            return None, cache.get(version_key)
    except Exception:  # the cache is an optimisation: a Redis outage must not take the page down
        logger.warning("the cache cannot be read: the clerk's page is rendered without it", exc_info=True)
        return None, None
    entry = found.get(entry_key)
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == version:
        return entry[1], version
    return None, version


def site_page_set(site_id: int, variant: tuple[str, ...], version: str, html: str, seconds: float) -> None:
    """Keep a rendering made from rows read after `version` was, for `seconds` (at most MAX_AGE)."""
    if seconds <= 0:
        return
    try:
        cache.set(_entry_key(site_id, variant), (version, html), timeout=max(1, min(MAX_AGE, int(seconds))))
    except Exception:
        logger.warning("the cache cannot be written", exc_info=True)


def _bump(site_ids: list[int]) -> None:
    try:
        cache.set_many({_version_key(site_id): secrets.token_hex(8) for site_id in site_ids}, timeout=None)
    except Exception:
        logger.warning("the clerk's pages of sites %s could not be marked changed: they may show the old list "
                       "for up to %s s", site_ids, MAX_AGE, exc_info=True)


def site_pages_changed(*, site_ids: Iterable[int]) -> None:
    """The sites' pages show something else now: new versions at once, and again once the transaction commits
    (a page rendered in between, from the rows before the commit, is then never read)."""
    ids = sorted({int(site_id) for site_id in site_ids if site_id})
    if not ids:
        return
    _bump(ids)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump(ids))
