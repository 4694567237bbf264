"""Account operations: registration, authentication, tokens, password reset, staff accounts.

Each takes validated values (from a form or a schema), checks the rules that need the
database, writes, and leaves the commit to the end of the request.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from accelerator.accounts import organizations
from accelerator.accounts.models import (
    STAFF_ROLES,
    ApiToken,
    Organization,
    OrganizationAction,
    OrganizationRole,
    Role,
    TeacherProfile,
    User,
)
from accelerator.core.db import utcnow
from accelerator.core.errors import Forbidden, Invalid
from accelerator.core.mail import queue_mail
from accelerator.extensions import db

MIN_PASSWORD_LENGTH = 12
EMAIL_TAKEN = _l("An account already uses this email address.")
SIREN_TAKEN = _l("An organization with this SIREN was registered at the same moment: try again.")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == User.normalize_email(email)))


def _check_email_free(email: str) -> None:
    if find_user_by_email(email) is not None:
        raise Invalid(str(EMAIL_TAKEN), {"email": [str(EMAIL_TAKEN)]})


def _flush_or_invalid(field: str, message) -> None:
    """Flush, turning a unique-constraint race (two requests in the same second) into 422.

    The registration is the request's only write, so the whole session is rolled back.
    """
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Invalid(str(message), {field: [str(message)]}) from None


def register_company_member(email: str, password: str, full_name: str, organization: dict) -> User:
    """A company member and their organization (name, siren, country), which they own; when
    the SIREN is already registered, a request to join that organization instead (its owner
    decides: nobody takes over a SIREN by registering it first)."""
    _check_email_free(email)
    siren = organization.get("siren") or None
    existing = organizations.organization_with_siren(siren)
    user = User(
        email=User.normalize_email(email),
        full_name=full_name,
        role=Role.company,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    _flush_or_invalid("email", EMAIL_TAKEN)
    if existing is not None:
        organizations.request_to_join(user, existing)
        return user
    org = Organization(name=organization["name"], siren=siren, country=organization["country"])
    user.organization = org
    user.organization_role = OrganizationRole.owner
    db.session.add(org)
    _flush_or_invalid("organization", SIREN_TAKEN)
    organizations.record(org, OrganizationAction.created, user)
    return user


def register_teacher(email: str, password: str, full_name: str, teacher: dict) -> User:
    """A teacher account; a profile already created by an import (same email) is attached."""
    _check_email_free(email)
    normalized = User.normalize_email(email)
    user = User(
        email=normalized,
        full_name=full_name,
        role=Role.teacher,
        password_hash=hash_password(password),
    )
    profile = db.session.scalar(select(TeacherProfile).where(TeacherProfile.email == normalized))
    if profile is None:
        profile = TeacherProfile(email=normalized)
        db.session.add(profile)
    first, _, last = full_name.partition(" ")
    profile.first_name = profile.first_name or first
    profile.last_name = profile.last_name or last or None
    for field in ("academy", "uai", "discipline", "career_stage"):
        setattr(profile, field, teacher[field])
    profile.user = user
    db.session.add(user)
    _flush_or_invalid("email", EMAIL_TAKEN)
    return user


def register(data: dict) -> User:
    """Self-registration, as ``POST /auth/register`` and the registration pages send it."""
    if data["role"] == Role.company:
        return register_company_member(
            data["email"], data["password"], data["full_name"], data["organization"]
        )
    return register_teacher(data["email"], data["password"], data["full_name"], data["teacher"])


def create_staff_user(
    actor: User | None, email: str, full_name: str, role: Role, password: str
) -> User:
    """An expert, trainer, manager or admin account; only admins (or the CLI) create them."""
    if actor is not None and actor.role != Role.admin:
        raise Forbidden(gettext("Only an administrator creates staff accounts."))
    if role not in STAFF_ROLES:
        raise Invalid(
            gettext("Only staff roles are created here."),
            {"role": [gettext("Choose expert, trainer, manager or admin.")]},
        )
    _check_email_free(email)
    user = User(
        email=User.normalize_email(email),
        full_name=full_name,
        role=role,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    _flush_or_invalid("email", EMAIL_TAKEN)
    return user


# A hash to check against when the email is unknown, so both cases take the same time.
_DUMMY_HASH: dict[str, str] = {}


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (never saying which part was wrong)."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        dummy = _DUMMY_HASH.setdefault(method, generate_password_hash("x" * 16, method=method))
        check_password_hash(dummy, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    user.last_login_at = utcnow()
    return user


def issue_token(user: User) -> tuple[str, datetime]:
    """A new bearer token for ``user``; the clear token is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + current_app.config["API_TOKEN_LIFETIME"]
    db.session.add(ApiToken(user=user, token_hash=ApiToken.hash(token), expires_at=expires_at))
    return token, expires_at


def user_for_token(token: str) -> User | None:
    record = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token)))
    if record is None or not record.is_valid() or not record.user.active:
        return None
    return record.user


# Password reset: a signed, timed link. The signature covers part of the current password
# hash, so the link stops working once used (the hash changes) or after the password changes.
_RESET_SALT = "password-reset"


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def make_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"id": user.id, "h": user.password_hash[-16:]})


def request_password_reset(email: str, reset_url_for) -> None:
    """Email a reset link when the account exists; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    queue_mail(
        user.email,
        gettext("Reset your password"),
        "password_reset",
        user=user,
        url=reset_url_for(make_reset_token(user)),
        max_age_minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )


def user_for_reset_token(token: str) -> User | None:
    try:
        data = _reset_serializer().loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("id")) if isinstance(data.get("id"), int) else None
    if user is None or not user.active or user.password_hash[-16:] != data.get("h"):
        return None
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    if user is None:
        message = gettext("This reset link is invalid or has expired. Ask for a new one.")
        raise Invalid(message, {"token": [message]})
    user.password_hash = hash_password(new_password)
    # Signing out every API client: a reset usually follows a suspected compromise.
    for token_row in db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token_row.revoked_at = utcnow()
    return user


def set_language(user: User, code: str) -> User:
    """Store the language ``user`` reads the service in (pages once signed in)."""
    if code not in current_app.config["LANGUAGES"]:
        raise Invalid(gettext("Unknown language."), {"language": [gettext("Unknown language.")]})
    user.locale = code
    return user
