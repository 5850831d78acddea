"""Each web process keeps copies of the hot cache keys and drops them the moment Redis says they changed
(portal/near_copies.py, through portal.redis_cache.RedisCache's NEAR_PREFIXES). On a Redis of its own (a real
redis-server): two cache objects, each with its own listening connection, stand for two gunicorn workers.
Whether a read went to Redis is read from Redis's own command counts."""

from __future__ import annotations

import multiprocessing
import time

import pytest
import redis

from portal import near_copies
from portal.redis_cache import RedisCache
from tests.services.redis import RedisServer


@pytest.fixture(scope="module")
def server():
    with RedisServer() as started:
        yield started


@pytest.fixture
def raw(server):
    client = redis.Redis.from_url(server.url)
    client.flushdb()
    yield client
    client.close()


def worker(server, **options) -> RedisCache:
    """A cache as a web process has it, keeping copies of keys under "hot:"."""
    return RedisCache(server.url, {"OPTIONS": {"NEAR_PREFIXES": ["hot:"], **options}})


def mgets(raw) -> int:
    """How many MGETs Redis has answered so far."""
    return raw.info("commandstats").get("cmdstat_mget", {}).get("calls", 0)


def settle() -> None:
    """Let a notice Redis sent reach the other connection's socket (loopback: well under a millisecond)."""
    time.sleep(0.05)


def test_a_kept_key_is_read_from_memory_until_another_process_changes_it(server, raw):
    one, two = worker(server), worker(server)
    one.set("hot:page", {"version": 1})
    assert two.get("hot:page") == {"version": 1}
    before = mgets(raw)
    for _ in range(5):
        assert two.get("hot:page") == {"version": 1}
        assert two.get_many(["hot:page"]) == {"hot:page": {"version": 1}}
    assert mgets(raw) == before  # ten reads, none of them went to Redis

    one.set("hot:page", {"version": 2})  # another process writes
    settle()
    assert two.get("hot:page") == {"version": 2}
    assert mgets(raw) == before + 1

    one.delete("hot:page")
    settle()
    assert two.get("hot:page") is None


def test_other_keys_always_go_to_redis_in_the_same_round_trip(server, raw):
    cache = worker(server)
    cache.set_many({"hot:a": 1, "cold:b": "two"})
    assert cache.get_many(["hot:a", "cold:b", "cold:none"]) == {"hot:a": 1, "cold:b": "two"}
    before = mgets(raw)
    assert cache.get_many(["hot:a", "cold:b"]) == {"hot:a": 1, "cold:b": "two"}
    assert cache.get("cold:b") == "two"
    assert mgets(raw) == before + 1  # the cold key each time (get is a GET); the hot one from memory
    cache.delete("hot:a")
    before = mgets(raw)
    assert cache.get_many(["hot:a", "cold:b"]) == {"cold:b": "two"}
    assert mgets(raw) == before + 1  # a missing copy and the cold key: one MGET


def test_the_copies_listen_in_resp3_even_when_the_cache_speaks_resp2(server, raw):
    one = RedisCache(server.url + "?protocol=2", {"OPTIONS": {"NEAR_PREFIXES": ["hot:"]}})
    two = worker(server)
    two.set("hot:resp", "first")
    assert one.get("hot:resp") == "first"
    before = mgets(raw)
    assert one.get("hot:resp") == "first"
    assert mgets(raw) == before  # kept: its connection listens
    two.set("hot:resp", "second")
    settle()
    assert one.get("hot:resp") == "second"


def test_a_process_reads_its_own_writes_at_once(server):
    cache = worker(server)
    for value in range(20):
        cache.set("hot:counter", value)
        assert cache.get("hot:counter") == value  # no notice awaited: the write dropped the copy itself
    cache.add("hot:new", "added")
    assert cache.get("hot:new") == "added"
    cache.set("hot:new", "replaced")
    cache.touch("hot:new", 60)
    assert cache.get_many(["hot:new"]) == {"hot:new": "replaced"}


def test_a_change_heard_while_the_value_was_on_its_way_is_not_kept(server, raw):
    cache = worker(server)
    cache.set("hot:race", "old")
    client = cache._cache

    def fetch_then_another_process_writes(keys):
        values = client._raw_many(keys)
        raw.set(cache.make_key("hot:race"), cache._cache._serializer.dumps("new"))  # after the read, before kept
        settle()
        return values

    (value,) = client._near.read([cache.make_key("hot:race")], fetch_then_another_process_writes)
    assert cache._cache._serializer.loads(value) == "old"  # this read answered with what it read
    assert cache.get("hot:race") == "new"  # but kept nothing: the next read asks Redis


def test_a_flush_or_an_expiry_drops_the_copies(server, raw):
    one, two = worker(server), worker(server)
    one.set("hot:flushed", "x")
    assert two.get("hot:flushed") == "x"
    raw.flushdb()
    settle()
    assert two.get("hot:flushed") is None
    raw.set(one.make_key("hot:short"), one._cache._serializer.dumps("soon gone"), px=50)
    assert two.get("hot:short") == "soon gone"
    time.sleep(0.3)  # Redis expires the key (its notice comes then) or the copy is dropped with it
    assert two.get("hot:short") is None


def test_copies_are_dropped_when_redis_restarts_and_kept_again_once_it_listens(server, monkeypatch, caplog):
    monkeypatch.setattr(near_copies, "RETRY_SECONDS", 0)
    one, two = worker(server), worker(server)
    one.set("hot:session", "signed in")
    assert two.get("hot:session") == "signed in"
    server.restart()  # empty: everything it held is gone, and so must be every copy of it
    time.sleep(0.1)
    assert two.get("hot:session") is None
    assert "the connection that listens for changes is lost" in caplog.text
    one.set("hot:session", "signed in again")
    assert two.get("hot:session") == "signed in again"
    one.set("hot:session", "signed out")
    settle()
    assert two.get("hot:session") == "signed out"  # listening again: told of the change


def test_with_redis_down_reads_fail_as_without_copies_and_no_copy_is_used(server, monkeypatch):
    monkeypatch.setattr(near_copies, "RETRY_SECONDS", 0)
    cache = worker(server)
    cache.set("hot:k", "v")
    assert cache.get("hot:k") == "v"
    server.stop()
    try:
        with pytest.raises(redis.exceptions.ConnectionError):
            cache.get("hot:k")  # the callers' guards (sessions, versioned entries) handle this, as without
    finally:
        server.start()
    assert cache.get("hot:k") is None  # a fresh Redis: the old copy was not kept


def test_copies_are_bounded_in_age_and_in_bytes(server, raw):
    young = worker(server, NEAR_MAX_AGE=0.05)
    young.set("hot:aged", "v")
    assert young.get("hot:aged") == "v"
    time.sleep(0.1)
    before = mgets(raw)
    assert young.get("hot:aged") == "v"
    assert mgets(raw) == before + 1  # too old: asked again

    small = worker(server, NEAR_MAX_BYTES=8_000)
    small.set("hot:big", b"x" * 2_000)  # more than an eighth of the budget: never kept
    for n in range(20):
        small.set(f"hot:{n}", b"y" * 500)
        small.get(f"hot:{n}")
    small.get("hot:big")
    near = small._cache._near
    assert near._bytes <= 8_000
    assert small.make_key("hot:big") not in near._copies
    assert small.make_key("hot:19") in near._copies  # the newest are kept, the oldest dropped
    assert small.make_key("hot:0") not in near._copies


def _read_in_child(cache, queue) -> None:
    queue.put(cache.get("hot:forked"))


def test_a_forked_worker_listens_on_its_own_connection(server):
    parent = worker(server)
    parent.set("hot:forked", "before")
    assert parent.get("hot:forked") == "before"  # the parent keeps a copy and a listening connection
    worker(server).set("hot:forked", "after")  # a change the parent has not read its notice of yet
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_read_in_child, args=(parent, queue))
    child.start()
    child.join(10)
    assert queue.get(timeout=5) == "after"  # the child started over: no copy, its own connection
    assert parent.get("hot:forked") == "after"
