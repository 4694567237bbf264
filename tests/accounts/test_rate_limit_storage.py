"""With REDIS_URL, the per-account limit is counted in Redis, which all workers share."""

from __future__ import annotations

import os
import uuid

import pytest

from accelerator.accounts.models import Role
from accelerator.extensions import limiter
from tests.factories import make_user

REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture
def redis_limiter(app):
    """The suite's app with its limiter storing counters in Redis, under a unique prefix."""
    prefix = f"test-{uuid.uuid4().hex}"
    app.config["RATELIMIT_STORAGE_URI"] = REDIS_URL
    limiter._key_prefix = prefix
    limiter.init_app(app)
    yield prefix
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    limiter._key_prefix = ""
    limiter.init_app(app)


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set (CI sets it when Redis runs)")
def test_failures_are_counted_in_redis(client, redis_limiter):
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    make_user(Role.company, email="a@exemple.fr")
    try:
        for _ in range(10):
            failed = client.post("/connexion", data={"email": "a@exemple.fr", "password": "x" * 12})
            assert failed.status_code == 401
        assert list(server.scan_iter(f"*{redis_limiter}*"))  # the counters live in Redis
        blocked = client.post("/connexion", data={"email": "a@exemple.fr", "password": "x" * 12})
        assert blocked.status_code == 429
    finally:
        for key in server.scan_iter(f"*{redis_limiter}*"):
            server.delete(key)
