"""Django's Redis cache, with one redis client per connection pool instead of one per call, and copies of the
hottest keys kept in each process (portal/near_copies.py).

Django's RedisCacheClient builds a new `redis.Redis` for every cache call (`get_client`), and building one copies
its table of ~170 response callbacks: on the clerk's page, three cache reads spent more time there than in
Redis. A `redis.Redis` is safe to share (it takes a connection from its pool for each command, and the pool
resets itself in a forked process), so one is kept per pool. Keys are not checked against memcached's rules
(Redis has none).

OPTIONS["NEAR_PREFIXES"]: keys (as the callers name them, before Django's prefix and version) whose values each
process keeps while Redis has not said they changed; OPTIONS["NEAR_MAX_AGE"] (seconds) and
OPTIONS["NEAR_MAX_BYTES"] bound them. Only with one server (reads from replicas would be told of nothing).
Everything else is Django's.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis

from .near_copies import NearCopies


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, servers, *, near_prefixes=(), near_max_age=10.0, near_max_bytes=32 * 1024 * 1024,
                 **options) -> None:
        super().__init__(servers, **options)
        self._clients: dict[int, object] = {}
        self._near: NearCopies | None = None
        if near_prefixes and len(servers) == 1:
            self._near = NearCopies(self._get_connection_pool(False), near_prefixes, max_age=near_max_age,
                                    max_bytes=near_max_bytes)

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client

    # --- reads: kept keys from the copies ------------------------------------------------------------------

    def _raw_many(self, keys: list[str]) -> list:
        return self.get_client(None).mget(keys)

    def get(self, key, default):
        if self._near is None or not self._near.kept(key):
            return super().get(key, default)
        (raw,) = self._near.read([key], self._raw_many)
        return default if raw is None else self._serializer.loads(raw)

    def get_many(self, keys):
        keys = list(keys)
        near = self._near
        kept = [key for key in keys if near is not None and near.kept(key)]
        if not kept:
            return super().get_many(keys)
        others = [key for key in keys if not near.kept(key)]
        found: dict = {}

        def fetch(missing: list[str]) -> list:  # the copies that are missing and the other keys: one MGET
            values = self._raw_many(missing + others)
            found.update(zip(others, values[len(missing):], strict=True))
            return values[:len(missing)]

        found.update(zip(kept, near.read(kept, fetch), strict=True))
        if others and others[0] not in found:  # every copy was there: the others on their own
            found.update(zip(others, self._raw_many(others), strict=True))
        return {key: self._serializer.loads(found[key]) for key in keys if found[key] is not None}

    # --- writes: this process's copies dropped before and after --------------------------------------------

    def _writing(self, keys, write, *args):
        if self._near is None:
            return write(*args)
        keys = list(keys)
        self._near.forget(keys)
        try:
            return write(*args)
        finally:
            self._near.forget(keys)

    def add(self, key, value, timeout):
        return self._writing([key], super().add, key, value, timeout)

    def set(self, key, value, timeout):
        return self._writing([key], super().set, key, value, timeout)

    def touch(self, key, timeout):
        return self._writing([key], super().touch, key, timeout)

    def delete(self, key):
        return self._writing([key], super().delete, key)

    def incr(self, key, delta):
        return self._writing([key], super().incr, key, delta)

    def set_many(self, data, timeout):
        return self._writing(data.keys(), super().set_many, data, timeout)

    def delete_many(self, keys):
        keys = list(keys)
        return self._writing(keys, super().delete_many, keys)

    def clear(self):
        if self._near is None:
            return super().clear()
        self._near.forget_everything()
        try:
            return super().clear()
        finally:
            self._near.forget_everything()


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
        options = dict(self._options)
        prefixes = options.pop("NEAR_PREFIXES", ())
        options["near_prefixes"] = [self.make_key(prefix) for prefix in prefixes]
        for name in ("NEAR_MAX_AGE", "NEAR_MAX_BYTES"):
            if name in options:
                options[name.lower()] = options.pop(name)
        self._options = options

    def validate_key(self, key) -> None:
        """Django's check warns of keys memcached would refuse (length, spaces, control characters), a loop over
        every character of every key; Redis takes any key, so there is nothing to warn of."""
