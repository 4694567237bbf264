"""Dependencies down: Redis unreachable degrades the service, the database down stops it.

With Redis unreachable (REDIS_URL pointing at a closed port), login, token, registration and
the catalogue still answer (rate limits counted in each worker's memory, no cache), and
``/healthz`` says "degraded"; with the database down it answers 503.
"""

from __future__ import annotations

import os
import socket

import pytest
from sqlalchemy.exc import OperationalError

from accelerator.accounts.models import Role
from accelerator.extensions import cache, limiter
from tests.factories import PASSWORD, make_user

REDIS_URL = os.environ.get("TEST_REDIS_URL")


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _use_redis(app, url: str | None) -> None:
    """Point the suite's app (its limiter and cache) at ``url``, or back at memory."""
    app.config.update(
        REDIS_URL=url,
        RATELIMIT_STORAGE_URI=url or "memory://",
        CACHE_TYPE="accelerator.core.caching.SafeRedisCache" if url else "SimpleCache",
        CACHE_REDIS_URL=url,
        CACHE_OPTIONS={"socket_connect_timeout": 0.5, "socket_timeout": 0.5} if url else {},
    )
    limiter._storage_dead = False
    limiter.init_app(app)
    cache.init_app(app)


@pytest.fixture
def redis_down(app):
    _use_redis(app, f"redis://127.0.0.1:{_closed_port()}/5")
    yield
    _use_redis(app, None)


@pytest.fixture
def redis_up(app):
    if not REDIS_URL:
        pytest.skip("TEST_REDIS_URL not set (CI sets it when Redis runs)")
    _use_redis(app, REDIS_URL)
    yield
    _use_redis(app, None)


def test_healthz_without_redis_configured_reports_the_database(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json) == (200, {"status": "ok", "database": "ok"})


def test_healthz_says_degraded_when_redis_is_unreachable(client, redis_down):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "degraded", "database": "ok", "redis": "unavailable"}


def test_healthz_reports_redis_up(client, redis_up):
    response = client.get("/healthz")
    assert response.json == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_answers_503_when_the_database_is_down(client, redis_down, monkeypatch):
    from accelerator.extensions import db

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    with monkeypatch.context() as patch:  # undone before the database is emptied
        patch.setattr(db.session, "execute", broken)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unavailable", "redis": "unavailable"}


REQUESTS = [
    ("POST", "/connexion", {"data": {"email": "a@exemple.fr", "password": PASSWORD}}, 302),
    ("POST", "/connexion", {"data": {"email": "a@exemple.fr", "password": "x" * 12}}, 401),
    ("POST", "/api/v1/auth/token", {"json": {"email": "a@exemple.fr", "password": PASSWORD}}, 201),
    (
        "POST",
        "/api/v1/auth/register",
        {
            "json": {
                "email": "nouvelle@exemple.fr",
                "password": PASSWORD,
                "full_name": "Nadia Fondatrice",
                "role": "company",
                "organization": {"name": "Lecture SAS", "siren": "732829320", "country": "FR"},
            }
        },
        201,
    ),
    ("POST", "/mot-de-passe-oublie", {"data": {"email": "a@exemple.fr"}}, 302),
    ("GET", "/catalogue", {}, 200),
    ("GET", "/catalogue?q=lecture", {}, 200),
    ("GET", "/api/v1/catalogue", {}, 200),
]


@pytest.mark.parametrize(("method", "url", "kwargs", "status"), REQUESTS)
def test_the_service_answers_while_redis_is_unreachable(
    client, redis_down, method, url, kwargs, status
):
    make_user(Role.company, email="a@exemple.fr")
    response = client.open(url, method=method, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:500]


def test_rate_limits_still_hold_in_memory_while_redis_is_unreachable(client, redis_down):
    make_user(Role.company, email="a@exemple.fr")
    wrong = {"email": "a@exemple.fr", "password": "x" * 12}
    statuses = [client.post("/connexion", data=wrong).status_code for _ in range(11)]
    assert statuses == [401] * 10 + [429]


def test_the_safe_cache_keeps_answers_while_redis_is_up(app, redis_up):
    key = f"test:{os.getpid()}"
    assert cache.set(key, {"kept": True}, timeout=30)
    assert cache.get(key) == {"kept": True}
    cache.delete(key)


def test_the_safe_cache_is_no_cache_while_redis_is_unreachable(app, redis_down):
    assert not cache.set("test:down", 1)
    assert cache.get("test:down") is None
    assert cache.get_many("a", "b") == [None, None]


def test_behind_nginx_limits_count_per_client_not_per_proxy(monkeypatch):
    """In production (PROXY_HOPS=1, nginx in front) every connection comes from nginx: the
    per-address ceiling must count the client nginx names in X-Forwarded-For, or one busy
    school would exhaust it for everyone."""
    from flask_migrate import upgrade
    from sqlalchemy.pool import StaticPool

    from accelerator import create_app
    from accelerator.extensions import db

    monkeypatch.delenv("REDIS_URL", raising=False)
    production = create_app(
        "production",
        SECRET_KEY="x" * 32,
        SQLALCHEMY_DATABASE_URI="sqlite://",
        SQLALCHEMY_ENGINE_OPTIONS={"poolclass": StaticPool},
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_ADDRESS="2 per minute",
        REDIS_URL=None,
        CACHE_TYPE="SimpleCache",
        CACHE_OPTIONS={},
    )
    try:
        with production.app_context():
            upgrade()
        client = production.test_client()

        def token(client_address: str) -> int:
            return client.post(
                "/api/v1/auth/token",
                json={"email": "x@exemple.fr", "password": "y" * 12},
                headers={"X-Forwarded-For": client_address, "X-Forwarded-Proto": "https"},
                environ_base={"REMOTE_ADDR": "127.0.0.1"},  # nginx
            ).status_code

        assert [token("203.0.113.7") for _ in range(3)] == [401, 401, 429]
        assert token("198.51.100.20") == 401  # another client behind the same nginx
    finally:
        with production.app_context():
            db.engine.dispose()
        limiter._storage_dead = False
