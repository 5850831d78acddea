"""Sessions: in the database (the truth), read through the shared cache (Redis), and working without it.

Django's cached_db store, with every use of the cache guarded: when Redis cannot be reached the session is read
from and written to the database alone (logged), so people still sign in, work and sign out. Chosen by
SESSION_ENGINE only when the cache is shared by every web process (portal/settings/base.py).

Signing out deletes the database row first, then the cache entry. If the cache cannot be reached at that moment
the entry may outlive the row in Redis until it expires (SESSION_COOKIE_AGE at most); a load therefore checks
nothing more than Django's cached_db does. Operations: flush the cache (`redis-cli FLUSHDB` on the cache's
database) after an outage during which people signed out, as docs/operations.md says.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

from .versioned_cache import read_ahead_take

logger = logging.getLogger(__name__)


class _CacheGuard:
    """The cache's get/set/delete, each failure logged and taken as a miss (or as done)."""

    def __init__(self, cache) -> None:
        self._cache = cache

    def get(self, key, default=None):
        found = read_ahead_take([key])
        if found is not None:
            return found.get(key, default)
        try:
            return self._cache.get(key, default)
        except Exception:
            logger.warning("sessions: the cache cannot be read, using the database", exc_info=True)
            return default

    def set(self, key, value, timeout=None) -> None:
        try:
            self._cache.set(key, value, timeout)
        except Exception:
            logger.warning("sessions: the cache cannot be written", exc_info=True)

    def delete(self, key) -> None:
        try:
            self._cache.delete(key)
        except Exception:
            logger.warning("sessions: a signed-out session could not be removed from the cache: it stays there "
                           "until it expires or the cache is flushed", exc_info=True)

    def __contains__(self, key) -> bool:
        try:
            return key in self._cache
        except Exception:
            logger.warning("sessions: the cache cannot be read, using the database", exc_info=True)
            return False


class SessionStore(CachedDBStore):
    def __init__(self, session_key=None) -> None:
        super().__init__(session_key)
        self._cache = _CacheGuard(self._cache)


def session_cache_key(session_key: str) -> str:
    """The cache key a session is kept under (to read it ahead: portal.versioned_cache.cache_read_ahead)."""
    return SessionStore.cache_key_prefix + session_key
