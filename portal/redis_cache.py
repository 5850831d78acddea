"""Django's Redis cache, with one redis client per connection pool instead of one per call.

Django's RedisCacheClient builds a new `redis.Redis` for every cache call (`get_client`), and building one copies
its table of ~170 response callbacks: on the clerk's page, three cache reads spent more time there than in
Redis. A `redis.Redis` is safe to share (it takes a connection from its pool for each command, and the pool
resets itself in a forked process), so one is kept per pool. Keys are not checked against memcached's rules
(Redis has none). Everything else is Django's.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def validate_key(self, key) -> None:
        """Django's check warns of keys memcached would refuse (length, spaces, control characters), a loop over
        every character of every key; Redis takes any key, so there is nothing to warn of."""
