"""Account operations: registration, authentication, tokens, password reset, staff accounts.

Each takes validated values (from a form or a schema), checks the rules that need the
database, writes, and leaves the commit to the end of the request.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from types import SimpleNamespace

from flask import current_app, render_template
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from accelerator.accounts import organizations, rules
from accelerator.accounts.models import (
    SELF_REGISTERED_ROLES,
    STAFF_ROLES,
    ApiToken,
    Organization,
    OrganizationAction,
    OrganizationRole,
    Role,
    TeacherProfile,
    User,
    UserSession,
)
from accelerator.core.db import utcnow
from accelerator.core.errors import Conflict, Forbidden, Invalid
from accelerator.core.mail import queue_mail
from accelerator.core.schemas import MAX_ID
from accelerator.core.urls import public_url
from accelerator.extensions import db

MIN_PASSWORD_LENGTH = 12
#: profile fields a teacher gives at registration
TEACHER_FIELDS = ("academy", "uai", "discipline", "career_stage")
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
    send_verification_email(user)
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
    """A teacher account, unverified. Its profile is attached only once the address is
    verified (``verify_email``): a profile created by an import (same email) holds another
    person's history until then, and registering never overwrites what it holds."""
    _check_email_free(email)
    first, _, last = full_name.partition(" ")
    user = User(
        email=User.normalize_email(email),
        full_name=full_name,
        role=Role.teacher,
        password_hash=hash_password(password),
        pending_teacher={
            "first_name": first or None,
            "last_name": last or None,
            **{field: teacher[field] for field in TEACHER_FIELDS},
        },
    )
    db.session.add(user)
    _flush_or_invalid("email", EMAIL_TAKEN)
    send_verification_email(user)
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
        email_verified_at=utcnow(),  # an administrator vouches for staff addresses
    )
    db.session.add(user)
    _flush_or_invalid("email", EMAIL_TAKEN)
    return user


# A hash to check against when the email is unknown, so both cases take the same time. It is
# computed once per hashing method: computing it on every call made unknown addresses take
# twice as long as known ones (a hash and a check instead of a check).
_DUMMY_HASH: dict[str, str] = {}


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    dummy = _DUMMY_HASH.get(method)
    if dummy is None:
        dummy = _DUMMY_HASH[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return dummy


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (never saying which part was wrong)."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password or "")
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
        # The same work as for an account (a signed token, the message rendered), so the
        # answer's time does not tell whether the address has one.
        render_template(
            "emails/password_reset.txt",
            user=SimpleNamespace(full_name=""),
            url=reset_url_for(_reset_serializer().dumps({"id": 0, "h": "-" * 16})),
            max_age_minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
        )
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
    _mark_verified(user)  # the link reached the mailbox: the address is proven
    # Signing out every browser and API client: a reset usually follows a suspected
    # compromise.
    _end_all_sessions(user)
    return user


CURRENT_PASSWORD_WRONG = _l("Your current password is not this one.")
SAME_PASSWORD = _l("Choose a password different from your current one.")


def rename_user(user: User, full_name: str) -> User:
    """The name ``user`` goes by (pages, emails, history)."""
    full_name = (full_name or "").strip()
    if not full_name or len(full_name) > 200:
        message = gettext("Give your name (200 characters at most).")
        raise Invalid(message, {"full_name": [message]})
    user.full_name = full_name
    return user


def change_password(user: User, current_password: str, new_password: str) -> User:
    """A signed-in user chooses a new password, proving the current one.

    Every other session of the account ends (browsers, remember cookies, API tokens), as
    after a reset; the session of this request goes on. The reset links sent before stop
    working (they carry the old hash).
    """
    if not check_password_hash(user.password_hash, current_password or ""):
        raise Invalid(
            str(CURRENT_PASSWORD_WRONG), {"current_password": [str(CURRENT_PASSWORD_WRONG)]}
        )
    error = rules.password_error(new_password)
    if error:
        raise Invalid(error, {"password": [error]})
    if check_password_hash(user.password_hash, new_password):
        raise Invalid(str(SAME_PASSWORD), {"password": [str(SAME_PASSWORD)]})
    user.password_hash = hash_password(new_password)
    kept = user.session_key
    now = utcnow()
    others = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    if kept:
        others = others.where(UserSession.key_hash != UserSession.hash(kept))
    db.session.execute(others.values(revoked_at=now))
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    queue_mail(
        user.email,
        gettext("Your password was changed"),
        "password_changed",
        user=user,
        url=public_url("accounts.forgot_password"),
    )
    return user


def set_language(user: User, code: str) -> User:
    """Store the language ``user`` reads the service in (pages once signed in)."""
    if code not in current_app.config["LANGUAGES"]:
        raise Invalid(gettext("Unknown language."), {"language": [gettext("Unknown language.")]})
    user.locale = code
    return user


# Server-side sessions: a row per signed-in browser, named by a random key that the session
# cookie and the remember cookie carry (``User.get_id()`` is "<id>:<key>"). A copied cookie
# stops working as soon as its row is revoked.


def open_session(user: User, remember: bool = False) -> str:
    """Start a browser session for ``user`` (at sign-in); returns its key."""
    key = secrets.token_urlsafe(32)
    config = current_app.config
    lifetime = (
        config["REMEMBER_COOKIE_DURATION"] if remember else config["PERMANENT_SESSION_LIFETIME"]
    )
    db.session.add(
        UserSession(
            user_id=user.id,
            key_hash=UserSession.hash(key),
            remember=remember,
            expires_at=utcnow() + lifetime,
        )
    )
    user.session_key = key
    return key


def user_for_session(session_id: str) -> User | None:
    """The active user of a live session named by ``session_id`` ("<user id>:<key>"), as
    Flask-Login reads it from the session or the remember cookie; None otherwise."""
    ident, _, key = (session_id or "").partition(":")
    if not ident.isdigit() or len(ident) > 18 or not key:
        return None
    user = db.session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == int(ident),
            UserSession.key_hash == UserSession.hash(key),
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > utcnow(),
        )
    )
    if user is None or not user.active:
        return None
    user.session_key = key
    return user


def close_session(user: User) -> None:
    """Sign out: the session this request belongs to ends, its remember cookie with it."""
    if user.session_key:
        db.session.execute(
            update(UserSession)
            .where(
                UserSession.key_hash == UserSession.hash(user.session_key),
                UserSession.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow())
        )
        user.session_key = None


def _end_all_sessions(user: User) -> None:
    now = utcnow()
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    user.session_key = None


def sign_out_everywhere(user: User) -> None:
    """End every session of ``user`` (browsers, remember cookies and API tokens)."""
    _end_all_sessions(user)


def purge_expired_sessions(now: datetime | None = None) -> int:
    """Delete the rows of sessions that ended (expired or revoked); returns how many."""
    now = now or utcnow()
    result = db.session.execute(
        delete(UserSession).where(
            (UserSession.expires_at <= now) | UserSession.revoked_at.is_not(None)
        )
    )
    return result.rowcount or 0


# Email verification: a signed, timed link (itsdangerous, as the reset link) built from
# PUBLIC_BASE_URL. It names the address it proves, so it stops working if the address changes.
_VERIFY_SALT = "email-verification"
#: self-registered accounts still unverified after this are deleted
UNVERIFIED_LIFETIME = timedelta(days=7)


def _verification_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_VERIFY_SALT)


def make_verification_token(user: User) -> str:
    return _verification_serializer().dumps({"id": user.id, "e": user.email})


def send_verification_email(user: User) -> None:
    """Email ``user`` the link that verifies their address."""
    max_age = current_app.config["EMAIL_VERIFICATION_MAX_AGE"]
    queue_mail(
        user.email,
        gettext("Confirm your email address"),
        "email_verification",
        user=user,
        url=public_url("accounts.verify_email", token=make_verification_token(user)),
        max_age_days=max(1, max_age // 86400),
        expires_days=UNVERIFIED_LIFETIME.days,
    )


def resend_verification(user: User) -> None:
    """Send the verification link again (the page's button, ``POST /auth/verification``)."""
    if user.email_verified:
        raise Conflict(gettext("Your email address is already confirmed."))
    send_verification_email(user)


def user_for_verification_token(token: str) -> User | None:
    try:
        data = _verification_serializer().loads(
            token, max_age=current_app.config["EMAIL_VERIFICATION_MAX_AGE"]
        )
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    if not 0 < data["id"] <= MAX_ID:
        return None
    user = db.session.get(User, data["id"])
    if user is None or not user.active or user.email != data.get("e"):
        return None
    return user


def verify_email(token: str) -> User:
    """Mark the address of the link's account as verified (a teacher then finds their
    imported record)."""
    user = user_for_verification_token(token)
    if user is None:
        message = gettext(
            "This confirmation link is invalid or has expired. Sign in and ask for a new one."
        )
        raise Invalid(message, {"token": [message]})
    _mark_verified(user)
    return user


def _mark_verified(user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    if user.role == Role.teacher and user.teacher is None:
        _attach_teacher_profile(user)


def _attach_teacher_profile(user: User) -> None:
    """Give a verified teacher their profile: the one an import created for this address
    (its values kept; the registration's answers only fill its empty fields), or a new one."""
    pending = user.pending_teacher or {}
    profile = db.session.scalar(select(TeacherProfile).where(TeacherProfile.email == user.email))
    if profile is None:
        profile = TeacherProfile(email=user.email)
        db.session.add(profile)
    elif profile.user_id is not None:  # another account holds it (not reachable: emails unique)
        return
    for field in ("first_name", "last_name", *TEACHER_FIELDS):
        if getattr(profile, field) in (None, "") and pending.get(field):
            setattr(profile, field, pending[field])
    profile.user = user
    user.pending_teacher = None


def purge_unverified_accounts(now: datetime | None = None) -> int:
    """Delete the self-registered accounts left unverified for ``UNVERIFIED_LIFETIME``
    (a daily task), so an address someone else registered is freed for its owner. A company
    account's organization goes with it when nobody and nothing else needs it (a member, a
    solution). An account that others' records must keep (a RESTRICT reference) stays.
    Returns the number of accounts deleted."""
    cutoff = (now or utcnow()) - UNVERIFIED_LIFETIME
    users = db.session.scalars(
        select(User).where(
            User.email_verified_at.is_(None),
            User.role.in_(SELF_REGISTERED_ROLES),
            User.created_at < cutoff,
        )
    ).all()
    deleted = 0
    for user_id, organization_id in [(user.id, user.organization_id) for user in users]:
        if not _remove_row("user_account", user_id, keep_owner=False):
            continue
        deleted += 1
        if organization_id:
            _remove_row("organization", organization_id, keep_owner=True)
    db.session.expire_all()
    return deleted


def _references(table_name: str) -> list[tuple]:
    """(column, ondelete) of every foreign key to ``table_name``.id. Other domains sit above
    accounts, so their tables are found through the metadata rather than imported."""
    return [
        (column, (fk.ondelete or "").upper())
        for table in db.metadata.sorted_tables
        for column in table.columns
        for fk in column.foreign_keys
        if fk.column.table.name == table_name and fk.column.name == "id"
    ]


def _remove_row(table_name: str, row_id: int, keep_owner: bool) -> bool:
    """Delete one row of ``table_name`` with what hangs on it, doing what the foreign keys'
    ON DELETE says (SQLite does not enforce them): CASCADE rows go, SET NULL columns are
    emptied, and a RESTRICT reference (or, with ``keep_owner``, any reference but CASCADE)
    keeps the row. Returns whether it was deleted."""
    references = _references(table_name)
    for column, ondelete in references:
        if ondelete == "CASCADE" or (ondelete == "SET NULL" and not keep_owner):
            continue
        if db.session.execute(select(column).where(column == row_id).limit(1)).first():
            return False
    for column, ondelete in references:
        if ondelete == "CASCADE":
            db.session.execute(delete(column.table).where(column == row_id))
        elif ondelete == "SET NULL":
            db.session.execute(
                update(column.table).where(column == row_id).values({column.name: None})
            )
    table = db.metadata.tables[table_name]
    db.session.execute(delete(table).where(table.c.id == row_id))
    return True


def notify_login_ceiling(email: str, retry_after: int) -> None:
    """Tell an account's owner that sign-ins are paused after many failures from several
    addresses (someone may be guessing the password), once per pause."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    queue_mail(
        user.email,
        gettext("Sign-ins to your account are paused"),
        "login_ceiling",
        user=user,
        minutes=max(1, retry_after // 60),
        url=public_url("accounts.forgot_password"),
    )
