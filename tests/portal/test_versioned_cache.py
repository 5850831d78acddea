"""Cache entries used only while their versions are current and before their expiry, read ahead in one round
trip. (Copies kept in each process's memory are portal.near_copies': tests/portal/test_near_copies.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import caches
from django.utils import timezone

from portal.versioned_cache import VersionedEntries, cache_read_ahead


@pytest.fixture
def reads(monkeypatch):
    """Every key the cache is asked for, call by call."""
    backend = caches["default"]
    backend.clear()
    calls: list[list[str]] = []
    inside = []  # this process's cache answers get_many with get: count the outer call only
    get_many, get = backend.get_many, backend.get

    def counted_get_many(keys, *args, **kwargs):
        calls.append(list(keys))
        inside.append(True)
        try:
            return get_many(keys, *args, **kwargs)
        finally:
            inside.pop()

    def counted_get(key, *args, **kwargs):
        if not inside:
            calls.append([key])
        return get(key, *args, **kwargs)

    monkeypatch.setattr(backend, "get_many", counted_get_many)
    monkeypatch.setattr(backend, "get", counted_get)
    yield calls
    backend.clear()


def test_read_ahead_answers_the_reads_inside_in_one_round_trip(reads):
    pages, people = VersionedEntries("t:pages", max_age=60), VersionedEntries("t:people", max_age=60)
    _, page_version = pages.get(7, ("th",))
    pages.set(7, ("th",), page_version, b"<p>page</p>")
    _, person_version = people.get(3)
    people.set(3, (), person_version, {"name": "clerk"})
    reads.clear()
    with cache_read_ahead([*pages.keys(7, ("th",)), *people.keys(3)]):
        assert people.get(3) == ({"name": "clerk"}, person_version)
        assert pages.get(7, ("th",)) == (b"<p>page</p>", page_version)
        assert len(reads) == 1  # everything came with the read ahead
        pages.get(7, ("th",))  # a second read of the same keys asks the cache again
        assert len(reads) == 2
    people.changed([3])
    with cache_read_ahead(people.keys(3)):
        assert people.get(3)[0] is None  # the read ahead checks the versions as any read does


def test_an_entry_is_used_only_while_its_version_is_current_and_before_it_expires(reads):
    pages = VersionedEntries("t:expiry", max_age=300)
    _, version = pages.get(7, ("th",))
    pages.set(7, ("th",), version, b"<p>one</p>", seconds=120)
    assert pages.get(7, ("th",)) == (b"<p>one</p>", version)
    pages.changed([7])  # another process wrote
    page, newer = pages.get(7, ("th",))
    assert page is None
    assert newer != version
    pages.set(7, ("th",), newer, b"<p>two</p>", seconds=120)
    with time_machine.travel(timezone.now() + timedelta(seconds=121), tick=False):
        assert pages.get(7, ("th",))[0] is None  # the page changes then (a Join button opens)
