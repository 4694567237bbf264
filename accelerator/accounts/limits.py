"""Rate limits on credentials: failures per account, and a generous ceiling per address.

Failures are counted per account (the email tried), across the login page and the token
endpoint, so guessing one account's password is slow; the per-address ceiling is high
enough for a whole school behind one address.
"""

from __future__ import annotations

from flask import current_app, g, request

from accelerator.accounts.models import User
from accelerator.extensions import limiter


def _email_tried() -> str:
    email = request.form.get("email")
    if email is None:
        body = request.get_json(force=True, silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    return User.normalize_email(email if isinstance(email, str) else "")


def account_key() -> str:
    return f"account:{_email_tried()}"


def mark_failure() -> None:
    """Count this request against the account's failure budget."""
    g.credentials_failed = True


def _failed(_response) -> bool:
    return bool(g.get("credentials_failed"))


def _account_limit() -> str:
    return current_app.config["RATELIMIT_ACCOUNT"]


def _address_limit() -> str:
    return current_app.config["RATELIMIT_ADDRESS"]


#: Failed credentials per account, shared by the login page and ``POST /auth/token``.
credential_failures = limiter.shared_limit(
    _account_limit,
    scope="credential-failures",
    key_func=account_key,
    methods=["POST"],
    deduct_when=_failed,
)
#: Password reset requests per account (every request counts: each one sends an email).
reset_requests = limiter.shared_limit(
    _account_limit, scope="reset-requests", key_func=account_key, methods=["POST"]
)
#: Ceiling per network address on every credential endpoint.
per_address = limiter.shared_limit(_address_limit, scope="credentials-address", methods=["POST"])
