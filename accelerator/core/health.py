"""``GET /healthz``: each dependency's state, for load balancers and monitoring.

Each check is a function answering True (reachable) or False; ``register_check`` adds one
(the job broker's, where there is one). A *critical* dependency down makes the service
unusable: 503 and ``"status": "error"``. Others down leave it working in a degraded way
(Redis: rate limits fall back to each worker's memory, caches to no cache): 200 and
``"status": "degraded"``. With every dependency up: ``"status": "ok"``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import text

from accelerator.extensions import db

#: seconds a probe waits for Redis (or a broker) before calling it unavailable
PROBE_TIMEOUT = 0.5


@dataclass(frozen=True)
class HealthCheck:
    name: str
    check: Callable[[], bool]
    critical: bool
    #: whether the check applies to this configuration (e.g. REDIS_URL set)
    enabled: Callable[[Flask], bool]


_CHECKS: dict[str, HealthCheck] = {}


def register_check(
    name: str,
    check: Callable[[], bool],
    critical: bool = False,
    enabled: Callable[[Flask], bool] = lambda app: True,
) -> None:
    """Add (or replace) a dependency reported by ``/healthz`` under ``name``."""
    _CHECKS[name] = HealthCheck(name, check, critical, enabled)


def database_reachable() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any driver error means unreachable; the probe itself never fails
        db.session.rollback()
        current_app.logger.exception("Health check: database unreachable")
        return False
    return True


def redis_reachable() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(
            current_app.config["REDIS_URL"],
            socket_connect_timeout=PROBE_TIMEOUT,
            socket_timeout=PROBE_TIMEOUT,
        )
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError) as error:
        current_app.logger.warning("Health check: Redis unreachable (%s)", error)
        return False


register_check("database", database_reachable, critical=True)
register_check("redis", redis_reachable, enabled=lambda app: bool(app.config.get("REDIS_URL")))


def health_report() -> tuple[dict[str, str], int]:
    """The body and status of ``/healthz``: every enabled dependency, then the summary."""
    body: dict[str, str] = {}
    status = "ok"
    for check in _CHECKS.values():
        if not check.enabled(current_app):
            continue
        if check.check():
            body[check.name] = "ok"
            continue
        body[check.name] = "unavailable"
        status = "error" if check.critical else ("degraded" if status == "ok" else status)
    return {"status": status, **body}, (503 if status == "error" else 200)
