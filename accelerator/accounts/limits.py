"""Rate limits on credentials, so that guessing a password is slow but locking its owner out
is not a weapon.

- Failures per account *and* network address (``RATELIMIT_ACCOUNT_ADDRESS``): one address
  guessing one account is stopped after a few tries, while the owner signing in from another
  address is not affected.
- Failures per account from every address (``RATELIMIT_ACCOUNT``, a higher ceiling): a guess
  spread over many addresses is capped too; when it trips, the owner is told by email.
- A ceiling per network address on every credential endpoint (``RATELIMIT_ADDRESS``), high
  enough for a whole school behind one address.

Each attempt is counted *before* the password is checked, with one atomic increment in the
limiter's storage (Redis when several workers run), and given back when the password was
right. Counting after the check let 40 parallel guesses all pass a test made before any of
them was counted. The login page and ``POST /auth/token`` share the same counters.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from flask import current_app, request
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from accelerator.accounts.models import User
from accelerator.extensions import limiter

log = logging.getLogger(__name__)

#: used only while the configured storage (Redis) does not answer
_fallback = FixedWindowRateLimiter(MemoryStorage())


def _email_tried() -> str:
    email = request.form.get("email")
    if email is None:
        body = request.get_json(force=True, silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    return User.normalize_email(email if isinstance(email, str) else "")


def account_address_key() -> str:
    return f"account:{_email_tried()}|address:{get_remote_address()}"


def account_key() -> str:
    return f"account:{_email_tried()}"


def _limit(name: str) -> RateLimitItem:
    return parse(current_app.config[name])


@dataclass
class Attempt:
    """One credential check, counted in advance against the limits."""

    email: str
    allowed: bool = True
    #: seconds until the exhausted limit lets attempts through again
    retry_after: int = 0
    #: this attempt is the one that crossed the per-account ceiling (tell the owner once)
    ceiling_tripped: bool = False
    _counted: list[tuple[RateLimitItem, str]] = field(default_factory=list)

    def succeeded(self) -> None:
        """The password was right: what this attempt counted is given back."""
        for item, identity in self._counted:
            _count(item, identity, -1)
        self._counted.clear()


def _strategy():
    return limiter.limiter


def _key(item: RateLimitItem, identity: str) -> str:
    prefix = getattr(limiter, "_key_prefix", "") or ""
    return item.key_for(prefix, "credential-failures", identity)


def _count(item: RateLimitItem, identity: str, amount: int = 1) -> int:
    """Add ``amount`` to the counter, atomically; returns the new value."""
    key = _key(item, identity)
    try:
        return _strategy().storage.incr(key, item.get_expiry(), amount=amount)
    except Exception:  # storage unreachable: count in this process rather than fail
        log.warning("Rate limit storage unavailable; counting in memory", exc_info=True)
        return _fallback.storage.incr(key, item.get_expiry(), amount=amount)


def _retry_after(item: RateLimitItem, identity: str) -> int:
    try:
        reset = _strategy().storage.get_expiry(_key(item, identity))
    except Exception:
        reset = _fallback.storage.get_expiry(_key(item, identity))
    return max(1, int(reset - time.time()))


def begin_attempt(email: str) -> Attempt:
    """Count an attempt on ``email`` from this request's address; ``allowed`` is False when a
    limit is exhausted (the caller answers 429 without checking the password)."""
    email = User.normalize_email(email)
    attempt = Attempt(email)
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return attempt
    checks = (
        (_limit("RATELIMIT_ACCOUNT_ADDRESS"), f"{email}|{get_remote_address()}"),
        (_limit("RATELIMIT_ACCOUNT"), email),
    )
    for index, (item, identity) in enumerate(checks):
        value = _count(item, identity)
        attempt._counted.append((item, identity))
        if value > item.amount:
            attempt.allowed = False
            attempt.retry_after = _retry_after(item, identity)
            attempt.ceiling_tripped = index == 1 and value == item.amount + 1
            break
    return attempt


def _address_limit() -> str:
    return current_app.config["RATELIMIT_ADDRESS"]


def _reset_limit() -> str:
    return current_app.config["RATELIMIT_ACCOUNT_ADDRESS"]


def _reset_ceiling() -> str:
    return current_app.config["RATELIMIT_ACCOUNT"]


#: Password reset requests (each one sends an email) per account and address...
reset_requests = limiter.shared_limit(
    _reset_limit, scope="reset-requests", key_func=account_address_key, methods=["POST"]
)
#: ... and per account from every address.
reset_ceiling = limiter.shared_limit(
    _reset_ceiling, scope="reset-ceiling", key_func=account_key, methods=["POST"]
)
#: Ceiling per network address on every credential endpoint.
per_address = limiter.shared_limit(_address_limit, scope="credentials-address", methods=["POST"])
