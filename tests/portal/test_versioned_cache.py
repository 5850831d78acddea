"""Cache entries used only while their versions are current: read ahead in one round trip, and kept in the
process's memory (the value's transfer saved) without ever outliving their versions or their expiry."""

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


def test_a_local_copy_saves_the_transfer_but_never_outlives_its_version(reads):
    pages = VersionedEntries("t:local", max_age=300, local_copies=10)
    _, version = pages.get(7, ("th",))
    pages.set(7, ("th",), version, b"<p>one</p>", seconds=120)
    reads.clear()
    assert pages.get(7, ("th",)) == (b"<p>one</p>", version)
    assert reads == [["t:local:7:version"]]  # the version only: the page came from this process's memory
    assert pages.keys(7, ("th",)) == ["t:local:7:version"]

    pages.changed([7])  # another process wrote: the copy here is of an older version
    page, newer = pages.get(7, ("th",))
    assert page is None
    assert newer != version

    pages.set(7, ("th",), newer, b"<p>two</p>", seconds=120)
    with time_machine.travel(timezone.now() + timedelta(seconds=121), tick=False):
        assert pages.get(7, ("th",))[0] is None  # expired here as in the cache (a Join button opened)


def test_a_copy_kept_by_another_process_is_read_from_the_cache(reads):
    writer = VersionedEntries("t:shared", max_age=300, local_copies=10)
    reader = VersionedEntries("t:shared", max_age=300, local_copies=10)  # another process: its own memory
    _, version = writer.get(1)
    writer.set(1, (), version, b"<p>kept</p>")
    assert reader.get(1) == (b"<p>kept</p>", version)
    reads.clear()
    assert reader.get(1) == (b"<p>kept</p>", version)
    assert reads == [["t:shared:1:version"]]


def test_local_copies_are_bounded():
    pages = VersionedEntries("t:bounded", max_age=300, local_copies=3)
    for thing in range(10):
        _, version = pages.get(thing)
        pages.set(thing, (), version, b"x")
    assert len(pages._local) == 3
