"""Copies of cache values kept in this process's memory, dropped the moment Redis says their key changed.

The daily visit to a clerk's page reads a handful of small cache keys (the session, who asks, the page's
version) that change a few times a day. Asking Redis for them on every request costs a round trip, most of the
page's time. Redis can instead tell a client which keys changed ("client-side caching": CLIENT TRACKING in
broadcasting mode, https://redis.io/docs/latest/develop/reference/client-side-caching/): each process holds one
connection that has asked to hear of every change to keys under some prefixes, and keeps copies of such keys
while no change has been heard of. A copy is used only when

- the listening connection is up, and everything it has heard has been applied first (a non-blocking read of
  its socket on every use: a change that has reached this machine is never missed);
- no change was heard of between the moment the value was asked for and the moment it arrived (a pending
  marker per key, removed by any change, as redis-py's own client-side cache does);
- it is younger than `max_age` seconds (bounds what a silently broken connection could leave, and the delay
  with which Redis expires keys).

Writes made through this process drop their copies before and after they are sent, so it reads its own writes
even in threaded workers. When the connection breaks (Redis restarted, a network fault), every copy is dropped
and the process reads from Redis until a new connection listens again, tried once per `RETRY_SECONDS`.
A FLUSHDB tells every listener to drop everything. Only the values' bytes are kept: each read unpickles its own
object, so a caller that changes what it read (a session) changes nothing here.

Other processes learn of a write from Redis's notice, which Redis writes to their connections in the same pass
of its event loop as its answer to the writer: by the time the writer's page has reached a browser and the
browser's next request has reached another process, the notice is there (a LAN's microseconds against an HTTP
round trip's milliseconds), and that process applies it before it uses any copy.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0  # after the listening connection failed, how long to read from Redis alone


class NearCopies:
    """Copies of the values of keys under `prefixes` (full Redis keys), for the Redis behind `connection_pool`."""

    def __init__(self, connection_pool, prefixes: Iterable[str], *, max_age: float = 10.0,
                 max_bytes: int = 32 * 1024 * 1024) -> None:
        self._pool = connection_pool
        self.prefixes = tuple(prefixes)
        self.max_age = max_age
        self.max_bytes = max_bytes
        self._lock = threading.RLock()  # gunicorn may run threads (GUNICORN_THREADS)
        self._pid = None
        self._start_over()

    def _start_over(self) -> None:
        """Nothing kept, nobody listening (a new process, or the connection is gone)."""
        self._pid = os.getpid()
        self._connection = None
        self._copies: OrderedDict[str, tuple[bytes, float]] = OrderedDict()  # key -> (raw value, kept at)
        self._bytes = 0
        self._pending: dict[str, object] = {}  # key -> marker of a read on its way
        self._retry_at = 0.0

    def kept(self, key: str) -> bool:
        return key.startswith(self.prefixes)

    # --- listening --------------------------------------------------------------------------------------

    def _listen(self) -> None:
        # RESP3 whatever CACHE_URL says: Redis's notices come as pushes on this very connection.
        connection = self._pool.connection_class(**{**self._pool.connection_kwargs, "protocol": 3})
        connection.register_connect_callback(self._on_connect)
        connection.connect()
        self._connection = connection

    def _on_connect(self, connection) -> None:
        """Every (re)connection: nothing heard before it counts, so nothing kept before it does either."""
        self._forget_everything()
        arguments = ["CLIENT", "TRACKING", "ON", "BCAST"]
        for prefix in self.prefixes:
            arguments += ["PREFIX", prefix]
        connection.send_command(*arguments)
        connection.read_response()
        connection._parser.set_invalidation_push_handler(self._on_invalidation)  # as redis-py's cache does

    def _on_invalidation(self, push):
        """Redis's notice: [b"invalidate", [keys]], or [b"invalidate", None] when the database was flushed."""
        keys = push[1] if len(push) > 1 else None
        if keys is None:
            self._forget_everything()
        else:
            for key in keys:
                self._forget(key.decode() if isinstance(key, bytes) else key)
        return push

    def _hear(self) -> bool:
        """Apply every notice that has arrived. False when nobody listens: use no copy, keep none."""
        if self._pid != os.getpid():  # a forked worker: the parent's connection and copies are not its own
            self._start_over()
        if self._connection is None:
            if time.monotonic() < self._retry_at:
                return False
            try:
                self._listen()
            except Exception:
                logger.warning("cache: cannot listen for changes; every read goes to Redis for %s s",
                               RETRY_SECONDS, exc_info=True)
                self._lost()
                return False
        connection = self._connection
        try:
            while connection.can_read(timeout=0):
                connection.read_response(push_request=True, timeout=0)
        except RedisTimeoutError:
            if connection.is_connected:
                return True  # part of a notice: the rest is still on its way, as if it had not arrived yet
            self._lost()
            return False
        except Exception:
            logger.warning("cache: the connection that listens for changes is lost; every copy dropped",
                           exc_info=True)
            self._lost()
            return False
        return True

    def _lost(self) -> None:
        connection = self._connection
        self._forget_everything()
        self._connection = None
        self._retry_at = time.monotonic() + RETRY_SECONDS
        if connection is not None:
            with contextlib.suppress(Exception):  # it is being dropped; nothing more to do with it
                connection.disconnect()

    # --- copies -----------------------------------------------------------------------------------------

    def _forget(self, key: str) -> None:
        copy = self._copies.pop(key, None)
        if copy is not None:
            self._bytes -= len(copy[0])
        self._pending.pop(key, None)

    def _forget_everything(self) -> None:
        self._copies.clear()
        self._pending.clear()
        self._bytes = 0

    def _keep(self, key: str, raw: bytes, kept_at: float) -> None:
        if len(raw) > self.max_bytes // 8:
            return
        self._forget(key)
        self._copies[key] = (raw, kept_at)
        self._bytes += len(raw)
        while self._bytes > self.max_bytes:
            _, (old, _) = self._copies.popitem(last=False)
            self._bytes -= len(old)

    def forget(self, keys: Iterable[str]) -> None:
        """This process writes these keys: drop their copies and any read of them on its way."""
        with self._lock:
            for key in keys:
                self._forget(key)

    def forget_everything(self) -> None:
        with self._lock:
            self._forget_everything()

    def read(self, keys: list[str], fetch: Callable[[list[str]], list]) -> list:
        """The raw values of `keys` (None where absent): copies where they are current, the others by
        `fetch(keys) -> values` (one MGET), kept if no change to them was heard of meanwhile."""
        now = time.monotonic()
        with self._lock:
            if not self._hear():
                return fetch(keys)
            found: dict[str, bytes] = {}
            for key in keys:
                copy = self._copies.get(key)
                if copy is not None and now - copy[1] < self.max_age:
                    found[key] = copy[0]
            missing = [key for key in keys if key not in found]
            markers = {}
            for key in missing:
                markers[key] = self._pending[key] = object()
        if not missing:
            return [found[key] for key in keys]
        fetched = None
        try:
            fetched = fetch(missing)
        finally:
            with self._lock:
                heard = fetched is not None and self._hear()
                for key, raw in zip(missing, fetched or [None] * len(missing), strict=True):
                    found[key] = raw
                    if self._pending.get(key) is markers[key]:
                        del self._pending[key]
                        if heard and raw is not None:
                            self._keep(key, raw, now)
        return [found[key] for key in keys]
