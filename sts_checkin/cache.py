"""The Redis cache, tolerant of Redis being away.

Redis only ever holds disposable data here (the cache; the task queue has its own
connection), so while it is down a read is a miss and a write is dropped: signing in
and checking in keep working. Connection timeouts in settings keep a request from
hanging on an unreachable server.
"""

from __future__ import annotations

import functools
import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _or(fallback):
    def decorate(method):
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as exc:
                logger.warning("Cache unavailable, carrying on without it: %s", exc)
                return fallback(*args) if callable(fallback) else fallback

        return guarded

    return decorate


class TolerantRedisCacheClient(RedisCacheClient):
    add = _or(False)(RedisCacheClient.add)
    get = _or(lambda key, default: default)(RedisCacheClient.get)
    set = _or(None)(RedisCacheClient.set)
    touch = _or(False)(RedisCacheClient.touch)
    delete = _or(False)(RedisCacheClient.delete)
    get_many = _or({})(RedisCacheClient.get_many)
    has_key = _or(False)(RedisCacheClient.has_key)
    set_many = _or(None)(RedisCacheClient.set_many)
    delete_many = _or(None)(RedisCacheClient.delete_many)
    clear = _or(False)(RedisCacheClient.clear)
    # incr keeps raising: a counter has no safe made-up value.


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = TolerantRedisCacheClient
