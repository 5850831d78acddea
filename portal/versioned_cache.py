"""Entries in the cache that are used only while the thing they were made from has not changed since.

Each thing (a site, a person) has a version in the cache, and a namespace may have one version for all of its
things at once (`everything_changed`). A reader reads the versions *before* it reads any row, and keeps what it
made under them; an entry is used only while its versions are the current ones (the versions and the entry are
read in one round trip). A writer calls `changed`, which gives the things new versions at once and again when
the transaction commits: so what a reader made from rows older than a write is never used after that write
commits (a reader that read the rows between the two bumps kept its entry under a version that is not current
any more).

Entries live `max_age` seconds at the most, which bounds what a write that bypassed the services (a shell, a
data fix with `.update()`) can leave behind. A cache that fails is logged and skipped: the caller makes the
thing from the database as if nothing were cached, and keeps nothing.
"""

from __future__ import annotations

import logging
import math
import secrets
import time
from collections.abc import Hashable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

EVERYTHING = "*"
_ABSENT = object()
# Keys read ahead for the request being answered, and what the cache held for each (taken once).
_read_ahead: ContextVar[dict | None] = ContextVar("prachum_cache_read_ahead", default=None)


@contextmanager
def cache_read_ahead(keys: Iterable[str]) -> Iterator[None]:
    """Read `keys` from the cache in one round trip now; the reads inside the block (VersionedEntries.get, the
    session store) take their key from here, once, instead of asking the cache again.

    A page that knows what it will read (the clerk's page: the session, who asks, the page) pays one round trip
    instead of three. Only the read is moved earlier: every check made on what is read stays where it was, and a
    key that is not here, or is read a second time, goes to the cache as before."""
    keys = list(dict.fromkeys(keys))
    memo = None
    if keys:
        try:
            found = cache.get_many(keys)
            memo = {key: found.get(key, _ABSENT) for key in keys}
        except Exception:
            logger.warning("the cache cannot be read ahead: each read asks it on its own", exc_info=True)
    token = _read_ahead.set(memo)
    try:
        yield
    finally:
        _read_ahead.reset(token)


def read_ahead_take(keys: list[str]) -> dict | None:
    """{key: value} of keys read ahead (a key the cache did not hold is left out), taken from the memo; None
    when any of them was not read ahead."""
    memo = _read_ahead.get()
    if memo is None or any(key not in memo for key in keys):
        return None
    found = {}
    for key in keys:
        value = memo.pop(key)
        if value is not _ABSENT:
            found[key] = value
    return found


class VersionedEntries:
    def __init__(self, namespace: str, *, max_age: int, whole_namespace: bool = False) -> None:
        self.namespace = namespace
        self.max_age = max_age
        self.whole_namespace = whole_namespace  # a version for all things too (everything_changed)

    def _version_key(self, thing: Hashable) -> str:
        return f"{self.namespace}:{thing}:version"

    def _entry_key(self, thing: Hashable, variant: tuple[str, ...]) -> str:
        return ":".join((self.namespace, str(thing), *variant))

    def _version_keys(self, thing: Hashable) -> list[str]:
        version_keys = [self._version_key(thing)]
        if self.whole_namespace:
            version_keys.append(self._version_key(EVERYTHING))
        return version_keys

    def keys(self, thing: Hashable, variant: tuple[str, ...] = ()) -> list[str]:
        """The keys `get` will read (to read them ahead with others: cache_read_ahead)."""
        return [*self._version_keys(thing), self._entry_key(thing, variant)]

    def get(self, thing: Hashable, variant: tuple[str, ...] = ()) -> tuple[Any, str | None]:
        """(the entry if it is of the current versions, else None; the versions to keep a new one under).

        (None, None) when the cache cannot be reached: make it from the rows, and keep nothing."""
        version_keys, entry_key = self._version_keys(thing), self._entry_key(thing, variant)
        wanted = [*version_keys, entry_key]
        try:
            found = read_ahead_take(wanted)
            if found is None:
                found = cache.get_many(wanted)
            missing = [key for key in version_keys if found.get(key) is None]
            if missing:  # first use, or the cache dropped it: any entry there is of an older version
                for key in missing:
                    cache.add(key, secrets.token_hex(8), timeout=None)
                found = cache.get_many(version_keys)
                return None, self._joined(found, version_keys)
            version = self._joined(found, version_keys)
        except Exception:  # the cache is an optimisation: an outage must not take the pages down
            logger.warning("the cache cannot be read (%s): made without it", self.namespace, exc_info=True)
            return None, None
        entry = found.get(entry_key)
        if isinstance(entry, tuple) and len(entry) == 3 and entry[0] == version and entry[2] > time.time():
            return entry[1], version
        return None, version

    @staticmethod
    def _joined(found: dict, version_keys: list[str]) -> str | None:
        parts = [found.get(key) for key in version_keys]
        return None if None in parts else "/".join(parts)

    def set(self, thing: Hashable, variant: tuple[str, ...], version: str | None, value: Any,
            seconds: float | None = None) -> None:
        """Keep `value`, made from rows read after `version` was, for `seconds` (at most max_age)."""
        seconds = self.max_age if seconds is None else min(self.max_age, seconds)
        if version is None or seconds <= 0:
            return
        entry_key, until = self._entry_key(thing, variant), time.time() + seconds
        try:
            cache.set(entry_key, (version, value, until), timeout=max(1, math.ceil(seconds)))
        except Exception:
            logger.warning("the cache cannot be written (%s)", self.namespace, exc_info=True)

    def _bump(self, things: list) -> None:
        try:
            cache.set_many({self._version_key(thing): secrets.token_hex(8) for thing in things}, timeout=None)
        except Exception:
            logger.warning("%s %s could not be marked changed: their entries may be used for up to %s s",
                           self.namespace, things, self.max_age, exc_info=True)

    def changed(self, things: Iterable[Hashable]) -> None:
        """The things changed: new versions at once, and again once the transaction commits (an entry made in
        between, from the rows before the commit, is then never used)."""
        things = sorted({str(thing) for thing in things if thing not in (None, "")})
        if not things:
            return
        self._bump(things)
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(lambda: self._bump(things))

    def everything_changed(self) -> None:
        """Every thing of the namespace changed (only with whole_namespace)."""
        if not self.whole_namespace:
            raise ValueError(f"{self.namespace} has no version for all of its things")
        self.changed([EVERYTHING])
