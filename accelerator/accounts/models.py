"""Users, organizations, teacher profiles and API tokens."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Select,
    String,
    Text,
    false,
    literal,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.core.db import UNMANAGED_NAMES, UTCDateTime, enum_column, starts_with, utcnow
from accelerator.core.enums import TitledEnum
from accelerator.extensions import db


class Role(TitledEnum):
    company = "company", _l("EdTech company")
    expert = "expert", _l("Canopé expert")
    trainer = "trainer", _l("Trainer")
    manager = "manager", _l("Manager")
    admin = "admin", _l("Administrator")
    teacher = "teacher", _l("Teacher")


#: Roles anyone may take by registering; the others are given by an admin.
SELF_REGISTERED_ROLES = (Role.company, Role.teacher)
STAFF_ROLES = (Role.expert, Role.trainer, Role.manager, Role.admin)


class Organization(db.Model):
    """An EdTech company whose members submit solutions for audit."""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: registered name
    name: Mapped[str] = mapped_column(String(200))
    #: French company number (9 digits, Luhn); unique when present
    siren: Mapped[str | None] = mapped_column(String(9), unique=True)
    #: ISO 3166-1 alpha-2 country of the head office
    country: Mapped[str] = mapped_column(String(2), default="FR")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[User]] = relationship(back_populates="organization")
    #: the manager's verification (SIRENE, Kbis…), None until verified
    verification: Mapped[OrganizationVerification | None] = relationship(
        back_populates="organization", uselist=False
    )

    @property
    def is_french(self) -> bool:
        """A French company: head office in France *and* verified by a manager (a country
        the company declares alone proves nothing)."""
        return self.country == "FR" and self.is_verified

    @property
    def is_verified(self) -> bool:
        return self.verification is not None

    @property
    def owner(self) -> User | None:
        owners = (m for m in self.members if m.organization_role == OrganizationRole.owner)
        return next(owners, None)

    def can_manage_members(self, user) -> bool:
        """Invite, hand over, decide on requests to join: the owner only."""
        return (
            user is not None
            and user.is_authenticated
            and user.organization_id == self.id
            and user.organization_role == OrganizationRole.owner
        )

    def can_verify(self, user) -> bool:
        return user is not None and user.is_authenticated and user.role == Role.manager

    def can_read_history(self, user) -> bool:
        """The history: the organization's members and the managers and admins."""
        if user is None or not user.is_authenticated:
            return False
        return user.organization_id == self.id or user.role in (Role.manager, Role.admin)

    def can_read_member_emails(self, user) -> bool:
        """Members' addresses: the organization's own members, managers and admins. Experts
        and trainers read organizations for their work but never need to write to them."""
        if user is None or not user.is_authenticated:
            return False
        if user.role in (Role.manager, Role.admin):
            return True
        return user.role == Role.company and user.organization_id == self.id

    @classmethod
    def visible_to(cls, user) -> Select:
        """Organizations ``user`` may read: their own; staff read them all."""
        statement = select(cls)
        if user is None or not user.is_authenticated:
            return statement.where(false())
        if user.role in (Role.manager, Role.admin, Role.expert, Role.trainer):
            return statement
        if user.role == Role.company and user.organization_id:
            return statement.where(cls.id == user.organization_id)
        return statement.where(false())


class OrganizationRole(TitledEnum):
    owner = "owner", _l("Owner")
    member = "member", _l("Member")


#: indexes of the accounts search, created by their migration (by dialect: core.db.starts_with
#: compares the name case folded, and the email, byte by byte)
USER_SEARCH_INDEXES = ("ix_user_account_name_prefix", "ix_user_account_email_prefix")
UNMANAGED_NAMES.update(USER_SEARCH_INDEXES)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        # One owner per organization, enforced by the database.
        Index(
            "uq_user_account_organization_owner",
            "organization_id",
            unique=True,
            sqlite_where=text("organization_role = 'owner'"),
            postgresql_where=text("organization_role = 'owner'"),
        ),
        # The admins' list of accounts, by name, page after page (keyset), for one role
        # or all; its searches use the prefix indexes below (``USER_SEARCH_INDEXES``).
        Index("ix_user_account_full_name_id", "full_name", "id"),
        Index("ix_user_account_role_full_name_id", "role", "full_name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stored lower-cased, so uniqueness ignores case
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role", 20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    #: for company members
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    #: owner or member of ``organization`` (one owner per organization, by a unique index)
    organization_role: Mapped[OrganizationRole | None] = mapped_column(
        enum_column(OrganizationRole, "organization_role", 10)
    )
    #: preferred interface language
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when the owner proved the address (the verification link, or a password reset link);
    #: None while unverified: self-registered accounts expire after 7 days unverified
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: a teacher's registration answers (academy, uai, ...), applied to their profile once the
    #: address is verified, and only to fields an import left empty
    pending_teacher: Mapped[dict | None] = mapped_column(JSON)

    organization: Mapped[Organization | None] = relationship(back_populates="members")
    teacher: Mapped[TeacherProfile | None] = relationship(back_populates="user", uselist=False)

    #: the signed-in browser session this object was loaded for (not a column): Flask-Login
    #: stores ``get_id()`` in the session and the remember cookie, so both name the session
    session_key = None  # str | None; set by the loaders, never stored

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_id(self) -> str:  # Flask-Login
        return f"{self.id}:{self.session_key}" if self.session_key else str(self.id)

    @staticmethod
    def normalize_email(email: str) -> str:
        return (email or "").strip().lower()

    @classmethod
    def listing(
        cls, user, query: str = "", role: Role | None = None, after: User | None = None
    ) -> Select:
        """The accounts ``user`` may read by name (then id), as the admins' list pages them:
        those whose name or email starts with ``query`` (case ignored), of ``role``, after
        the account ``after`` (keyset: each page starts where the last one ended, so no
        page counts or skips the table). Every filter is answered by an index."""
        statement = cls.visible_to(user)
        if role is not None:
            statement = statement.where(cls.role == role)
        query = query.strip().lower()
        if query:
            statement = statement.where(
                or_(
                    starts_with(cls.email, query), starts_with(cls.full_name, query, fold_case=True)
                )
            )
        if after is not None:
            statement = statement.where(
                tuple_(cls.full_name, cls.id) > tuple_(literal(after.full_name), literal(after.id))
            )
        return statement.order_by(cls.full_name, cls.id)

    @classmethod
    def visible_to(cls, user) -> Select:
        """Users ``user`` may read: themself; admins and managers read everyone."""
        statement = select(cls)
        if user is None or not user.is_authenticated:
            return statement.where(false())
        if user.role in (Role.admin, Role.manager):
            return statement
        return statement.where(cls.id == user.id)


class TeacherProfile(db.Model):
    """A teacher, with or without an account: imports create profiles from academic emails,
    and registering later with the same email attaches the account to this history."""

    __tablename__ = "teacher_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), unique=True
    )
    #: academic email, lower-cased; the key that links imports and accounts
    email: Mapped[str] = mapped_column(String(254), unique=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    #: code among the 30 académies (core.reference.ACADEMIES)
    academy: Mapped[str | None] = mapped_column(String(30), index=True)
    #: school's UAI (7 digits and a key letter)
    uai: Mapped[str | None] = mapped_column(String(8))
    discipline: Mapped[str | None] = mapped_column(String(40))
    #: stagiaire | neotitulaire | titulaire | contractuel
    career_stage: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship(back_populates="teacher")


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored, so a database leak reveals no token."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def is_valid(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and (now or utcnow()) < self.expires_at


# --- Organizations: members, invitations, requests to join, verification -------------------


class VerificationMethod(TitledEnum):
    sirene = "sirene", _l("SIRENE register extract")
    kbis = "kbis", _l("Kbis extract or equivalent")
    other = "other", _l("Other proof")


class OrganizationVerification(db.Model):
    """A manager's check that an organization is the company it claims to be."""

    __tablename__ = "organization_verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), unique=True
    )
    method: Mapped[VerificationMethod] = mapped_column(
        enum_column(VerificationMethod, "verification_method", 10)
    )
    comment: Mapped[str] = mapped_column(Text, default="")
    verified_by_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship(back_populates="verification")
    verified_by: Mapped[User] = relationship()


class Invitation(db.Model):
    """An owner's invitation of a colleague, by email; the link carries a signed id."""

    __tablename__ = "organization_invitation"
    __table_args__ = (
        # One open invitation per address and organization.
        Index(
            "uq_organization_invitation_open",
            "organization_id",
            "email",
            unique=True,
            sqlite_where=text("accepted_at IS NULL AND revoked_at IS NULL"),
            postgresql_where=text("accepted_at IS NULL AND revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    #: lower-cased
    email: Mapped[str] = mapped_column(String(254))
    invited_by_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()
    invited_by: Mapped[User] = relationship()

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class JoinStatus(TitledEnum):
    pending = "pending", _l("Awaiting the owner")
    accepted = "accepted", _l("Accepted")
    refused = "refused", _l("Refused by the owner")
    disputed = "disputed", _l("Disputed, before a manager")
    granted = "granted", _l("Granted by a manager")
    transferred = "transferred", _l("Ownership given by a manager")
    dismissed = "dismissed", _l("Dispute dismissed")


#: statuses of a request still awaiting someone's decision
OPEN_JOIN_STATUSES = (JoinStatus.pending, JoinStatus.disputed)


class JoinRequest(db.Model):
    """Registering with a SIREN already registered asks to join that organization: the owner
    decides; the requester may take a refusal to a manager (a disputed SIREN)."""

    __tablename__ = "organization_join_request"
    __table_args__ = (
        # At most one open request per user.
        Index(
            "uq_organization_join_request_open",
            "user_id",
            unique=True,
            sqlite_where=text("status IN ('pending', 'disputed')"),
            postgresql_where=text("status IN ('pending', 'disputed')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[JoinStatus] = mapped_column(
        enum_column(JoinStatus, "join_status", 12), default=JoinStatus.pending
    )
    #: the requester's words to the owner, then to the manager
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    organization: Mapped[Organization] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_JOIN_STATUSES

    @classmethod
    def visible_to(cls, user) -> Select:
        """Requests ``user`` may read: their own; those to the organization they own;
        managers and admins read them all."""
        statement = select(cls)
        if user is None or not user.is_authenticated:
            return statement.where(false())
        if user.role in (Role.manager, Role.admin):
            return statement
        if user.role != Role.company:
            return statement.where(false())
        owned = user.organization_id if user.organization_role == OrganizationRole.owner else None
        if owned is None:
            return statement.where(cls.user_id == user.id)
        return statement.where((cls.user_id == user.id) | (cls.organization_id == owned))


class OrganizationAction(TitledEnum):
    created = "created", _l("Organization registered")
    invited = "invited", _l("Colleague invited")
    invitation_revoked = "invitation_revoked", _l("Invitation withdrawn")
    joined = "joined", _l("Member joined")
    left = "left", _l("Member left")
    ownership_transferred = "ownership_transferred", _l("Ownership handed over")
    join_requested = "join_requested", _l("Request to join")
    join_accepted = "join_accepted", _l("Request to join accepted")
    join_refused = "join_refused", _l("Request to join refused")
    join_disputed = "join_disputed", _l("Refusal taken to a manager")
    dispute_granted = "dispute_granted", _l("Manager added the requester")
    dispute_transferred = "dispute_transferred", _l("Manager gave ownership to the requester")
    dispute_dismissed = "dispute_dismissed", _l("Manager dismissed the dispute")
    verified = "verified", _l("Organization verified")


class OrganizationEvent(db.Model):
    """The organization's history: append-only, one row per step."""

    __tablename__ = "organization_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[OrganizationAction] = mapped_column(
        enum_column(OrganizationAction, "organization_action", 30)
    )
    #: who acted (None: the system)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: whom it concerns (the member, the requester), when not the actor
    subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    #: an address (invitations) or words (comments, reasons)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_id])


class UserSession(db.Model):
    """A signed-in browser. The session cookie and the remember cookie carry its key, and a
    request is signed in only while its row is neither revoked nor expired: signing out ends
    this one, a password reset or "sign out everywhere" ends them all, copies included."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: SHA-256 of the random key the cookies carry
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: signed in with "Stay signed in" (a remember cookie)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
