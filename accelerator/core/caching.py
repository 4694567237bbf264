"""A Redis cache that a Redis outage cannot turn into errors: it becomes no cache.

Flask-Caching's ``RedisCache`` raises the driver's connection errors from ``get`` and
``set``, so an unreachable Redis answered 500 on the catalogue. ``SafeRedisCache`` (the
``CACHE_TYPE`` when ``REDIS_URL`` is set) swallows them and logs one warning per outage:
a read misses, a write is dropped, and the page is computed as if nothing were cached.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask_caching.backends.rediscache import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

#: seconds between two warnings while Redis stays down
_WARN_EVERY = 60.0


class SafeRedisCache(RedisCache):
    """``RedisCache`` whose operations answer "not cached" while Redis is unreachable."""

    _warned_at = 0.0

    def _unreachable(self, operation: str, error: RedisError) -> None:
        now = time.monotonic()
        if now - SafeRedisCache._warned_at >= _WARN_EVERY:
            SafeRedisCache._warned_at = now
            logger.warning("Cache unavailable (%s: %s): serving without cache", operation, error)

    def get(self, key: str) -> Any:
        try:
            return super().get(key)
        except RedisError as error:
            self._unreachable("get", error)
            return None

    def get_many(self, *keys: str) -> list[Any]:
        try:
            return super().get_many(*keys)
        except RedisError as error:
            self._unreachable("get_many", error)
            return [None] * len(keys)

    def has(self, key: str) -> bool:
        try:
            return bool(super().has(key))
        except RedisError as error:
            self._unreachable("has", error)
            return False

    def set(self, key: str, value: Any, timeout: int | None = None) -> Any:
        try:
            return super().set(key, value, timeout)
        except RedisError as error:
            self._unreachable("set", error)
            return False

    def add(self, key: str, value: Any, timeout: int | None = None) -> Any:
        try:
            return super().add(key, value, timeout)
        except RedisError as error:
            self._unreachable("add", error)
            return False

    def set_many(self, mapping: dict[str, Any], timeout: int | None = None) -> list[Any]:
        try:
            return super().set_many(mapping, timeout)
        except RedisError as error:
            self._unreachable("set_many", error)
            return []

    def delete(self, key: str) -> bool:
        try:
            return bool(super().delete(key))
        except RedisError as error:
            self._unreachable("delete", error)
            return False

    def delete_many(self, *keys: str) -> list[Any]:
        try:
            return super().delete_many(*keys)
        except RedisError as error:
            self._unreachable("delete_many", error)
            return []

    def clear(self) -> bool:
        try:
            return bool(super().clear())
        except RedisError as error:
            self._unreachable("clear", error)
            return False

    def inc(self, key: str, delta: int = 1) -> Any:
        try:
            return super().inc(key, delta)
        except RedisError as error:
            self._unreachable("inc", error)
            return None

    def dec(self, key: str, delta: int = 1) -> Any:
        try:
            return super().dec(key, delta)
        except RedisError as error:
            self._unreachable("dec", error)
            return None
