"""Failed sign-ins are counted per account and address (10 per 15 minutes) and per account
(a higher ceiling, whose owner is told), atomically and before the password is checked: an
attacker cannot lock the owner out from another address, nor slip parallel guesses through."""

from __future__ import annotations

import os
import threading
import uuid

import pytest

from accelerator.accounts.models import Role
from accelerator.extensions import limiter
from tests.factories import PASSWORD, make_user

WRONG = "not the password at all"
REDIS_URL = os.environ.get("TEST_REDIS_URL")


def _login(client, email, password, address):
    return client.post(
        "/connexion",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_ten_failures_from_one_address_do_not_lock_out_the_owner_elsewhere(client, app):
    make_user(Role.company, email="a@exemple.fr")
    for _ in range(10):
        assert _login(client, "a@exemple.fr", WRONG, "203.0.113.9").status_code == 401
    assert _login(client, "a@exemple.fr", PASSWORD, "203.0.113.9").status_code == 429
    owner = app.test_client()
    assert _login(owner, "a@exemple.fr", PASSWORD, "198.51.100.7").status_code == 302


def test_the_per_account_ceiling_stops_a_spread_guess_and_tells_the_owner_once(client, outbox):
    make_user(Role.company, email="a@exemple.fr")
    for n in range(50):  # 5 addresses × 10 failures: every one under its own limit
        assert _login(client, "a@exemple.fr", WRONG, f"203.0.113.{n // 10}").status_code == 401
    assert outbox == []
    blocked = _login(client, "a@exemple.fr", PASSWORD, "198.51.100.7")
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    _login(client, "a@exemple.fr", WRONG, "198.51.100.8")
    [mail] = outbox
    assert mail["To"] == "a@exemple.fr"
    assert "suspendues" in mail["Subject"]
    assert "/mot-de-passe-oublie" in mail.get_content()


def test_an_unknown_address_trips_the_ceiling_without_mail(client, outbox):
    for n in range(51):
        _login(client, "nobody@exemple.fr", WRONG, f"203.0.113.{n // 10}")
    assert outbox == []


def test_the_api_answers_429_problem_with_retry_after(api):
    make_user(Role.teacher, email="t@ac-paris.fr")
    for _ in range(10):
        api.post("/auth/token", json={"email": "t@ac-paris.fr", "password": WRONG})
    response = api.post("/auth/token", json={"email": "t@ac-paris.fr", "password": PASSWORD})
    assert response.status_code == 429
    assert response.content_type == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0


@pytest.fixture(params=["memory", "redis"])
def storage(request, app):
    """The limiter's storage: memory, and Redis (shared by workers) when TEST_REDIS_URL is set."""
    if request.param == "memory":
        yield "memory"
        return
    if not REDIS_URL:
        pytest.skip("TEST_REDIS_URL not set")
    import redis

    prefix = f"test-{uuid.uuid4().hex}"
    app.config["RATELIMIT_STORAGE_URI"] = REDIS_URL
    limiter._key_prefix = prefix
    limiter.init_app(app)
    yield "redis"
    server = redis.Redis.from_url(REDIS_URL)
    for key in server.scan_iter(f"*{prefix}*"):
        server.delete(key)
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    limiter._key_prefix = ""
    limiter.init_app(app)


def test_forty_parallel_guesses_let_no_more_than_the_limit_through(app, storage):
    make_user(Role.company, email="a@exemple.fr")
    count = 40
    barrier = threading.Barrier(count)
    statuses: list[int | None] = [None] * count

    def guess(index: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(
            "/api/v1/auth/token",
            json={"email": "a@exemple.fr", "password": WRONG},
            environ_base={"REMOTE_ADDR": "203.0.113.9"},
        )
        statuses[index] = response.status_code

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(set(statuses)) == [401, 429]
    assert statuses.count(401) == 10 and statuses.count(429) == 30
