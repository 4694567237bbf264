"""A Redis cache that a Redis outage cannot turn into errors: it becomes no cache.

Flask-Caching's ``RedisCache`` raises the driver's connection errors from ``get`` and
``set``, so an unreachable Redis answered 500 on the catalogue. ``SafeRedisCache`` (the
``CACHE_TYPE`` when ``REDIS_URL`` is set) swallows them and logs one warning per outage:
a read misses, a write is dropped, and the page is computed as if nothing were cached.
After a failure Redis is left alone for RETRY_AFTER seconds, so a Redis that times out
(rather than refusing at once) does not slow every request by its timeout.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from flask_caching.backends.rediscache import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

#: seconds without trying Redis after it failed
RETRY_AFTER = 5.0


class SafeRedisCache(RedisCache):
    """``RedisCache`` whose operations answer "not cached" while Redis is unreachable."""

    _down_until = 0.0

    def _safely(self, operation: str, default: Any, call: Callable[[], Any]) -> Any:
        if time.monotonic() < self._down_until:
            return default
        try:
            return call()
        except RedisError as error:
            if not self._down_until:
                logger.warning(
                    "Cache unavailable (%s: %s): serving without cache", operation, error
                )
            self._down_until = time.monotonic() + RETRY_AFTER
            return default

    def _back(self, result: Any) -> Any:
        if self._down_until:
            self._down_until = 0.0
            logger.warning("Cache reachable again")
        return result

    def get(self, key: str) -> Any:
        return self._safely("get", None, lambda: self._back(super(SafeRedisCache, self).get(key)))

    def get_many(self, *keys: str) -> list[Any]:
        return self._safely(
            "get_many",
            [None] * len(keys),
            lambda: self._back(super(SafeRedisCache, self).get_many(*keys)),
        )

    def has(self, key: str) -> bool:
        return bool(self._safely("has", False, lambda: super(SafeRedisCache, self).has(key)))

    def set(self, key: str, value: Any, timeout: int | None = None) -> Any:
        return self._safely(
            "set", False, lambda: super(SafeRedisCache, self).set(key, value, timeout)
        )

    def add(self, key: str, value: Any, timeout: int | None = None) -> Any:
        return self._safely(
            "add", False, lambda: super(SafeRedisCache, self).add(key, value, timeout)
        )

    def set_many(self, mapping: dict[str, Any], timeout: int | None = None) -> list[Any]:
        return self._safely(
            "set_many", [], lambda: super(SafeRedisCache, self).set_many(mapping, timeout)
        )

    def delete(self, key: str) -> bool:
        return bool(self._safely("delete", False, lambda: super(SafeRedisCache, self).delete(key)))

    def delete_many(self, *keys: str) -> list[Any]:
        return self._safely(
            "delete_many", [], lambda: super(SafeRedisCache, self).delete_many(*keys)
        )

    def clear(self) -> bool:
        return bool(self._safely("clear", False, lambda: super(SafeRedisCache, self).clear()))

    def inc(self, key: str, delta: int = 1) -> Any:
        return self._safely("inc", None, lambda: super(SafeRedisCache, self).inc(key, delta))

    def dec(self, key: str, delta: int = 1) -> Any:
        return self._safely("dec", None, lambda: super(SafeRedisCache, self).dec(key, delta))


def kept(key: str, compute: Callable[[], Any], timeout: float, enabled: bool = True) -> Any:
    """``compute()``, kept ``timeout`` seconds in the application's cache under ``key``.

    The one way domains keep computed values (Flask-Caching: each process's memory, or Redis
    shared by the workers when configured). Keys name what the value depends on (a state
    fingerprint, a version and its status), so a change makes the old value unreachable
    instead of needing an invalidation. ``enabled=False`` computes every time.
    """
    from accelerator.extensions import cache

    if not enabled or timeout <= 0:
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        # Redis counts whole seconds; a fraction of a second still keeps it one second.
        cache.set(key, value, timeout=max(1, round(timeout)))
    return value
