"""Users, organizations, teacher profiles and API tokens."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Select, String, false, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.core.db import UTCDateTime, enum_column, utcnow
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

    @property
    def is_french(self) -> bool:
        return self.country == "FR"

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


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

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
    #: preferred interface language
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization | None] = relationship(back_populates="members")
    teacher: Mapped[TeacherProfile | None] = relationship(back_populates="user", uselist=False)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @staticmethod
    def normalize_email(email: str) -> str:
        return (email or "").strip().lower()

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
