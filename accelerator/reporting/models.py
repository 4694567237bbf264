"""Reporting's own rows: the settings managers edit (targets, national populations, the
follow-up questionnaire's delay, partnership agreements, PAF actions) and the kept figures
the dashboard reads.

Settings are append-only: editing a target, a population or the delay adds a row, the latest
row of a key is the one in force, and the earlier ones are its history. Kept figures are
derived data, rebuilt from the other domains' tables by ``kept.refresh`` (never edited by
hand).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.accounts.models import User
from accelerator.core.db import UTCDateTime, utcnow
from accelerator.extensions import db


class Target(db.Model):
    """A target of an indicator over a horizon (the period by whose end it is to be met)."""

    __tablename__ = "reporting_target"
    __table_args__ = (
        CheckConstraint("horizon_end >= horizon_start", name="horizon_ordered"),
        Index("ix_reporting_target_code_id", "code", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: indicator code (definitions.INDICATORS)
    code: Mapped[str] = mapped_column(String(40))
    #: the value to reach; None withdraws the target (status no_target)
    value: Mapped[float | None] = mapped_column(Float)
    horizon_start: Mapped[date] = mapped_column(Date)
    horizon_end: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    set_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    set_by: Mapped[User | None] = relationship()


class NationalPopulation(db.Model):
    """Teachers of an académie in a school year (starting in September of ``year``), and
    among them the stagiaires and néotitulaires, as the ministry publishes them."""

    __tablename__ = "reporting_population"
    __table_args__ = (
        CheckConstraint("teachers >= 0 AND new_teachers >= 0", name="population_positive"),
        CheckConstraint("new_teachers <= teachers", name="new_within_all"),
        Index("ix_reporting_population_key", "year", "academy", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: first calendar year of the school year (2026 for 2026-2027)
    year: Mapped[int] = mapped_column()
    academy: Mapped[str] = mapped_column(String(30))
    teachers: Mapped[int] = mapped_column()
    #: stagiaires and néotitulaires
    new_teachers: Mapped[int] = mapped_column()
    set_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FollowUpDelay(db.Model):
    """Weeks between a session's end and the follow-up questionnaire of the reinvestment
    indicator (``certification.questionnaires``); the latest row is in force."""

    __tablename__ = "reporting_follow_up_delay"
    __table_args__ = (CheckConstraint("weeks BETWEEN 1 AND 52", name="weeks_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    weeks: Mapped[int] = mapped_column()
    set_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    set_by: Mapped[User | None] = relationship()


class Partnership(db.Model):
    """A partnership agreement (convention, lettre de mission) with an académie's rectorat."""

    __tablename__ = "reporting_partnership"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="partnership_dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    academy: Mapped[str] = mapped_column(String(30), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    #: None: open-ended
    ends_on: Mapped[date | None] = mapped_column(Date)
    #: the signed document, stored by its SHA-256 (audits.storage) when one was uploaded
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    document_name: Mapped[str | None] = mapped_column(String(255))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def in_force_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


paf_action_session = Table(
    "reporting_paf_action_session",
    db.metadata,
    Column(
        "paf_action_id",
        ForeignKey("reporting_paf_action.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "session_id",
        ForeignKey("training_session.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class PafAction(db.Model):
    """A training action registered in an académie's plan (PAF), with the sessions that
    deliver it."""

    __tablename__ = "reporting_paf_action"
    __table_args__ = (UniqueConstraint("academy", "year", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    academy: Mapped[str] = mapped_column(String(30))
    #: first calendar year of the school year of the plan
    year: Mapped[int] = mapped_column()
    #: the action's identifier in the plan (e.g. "26A0150042")
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sessions = relationship("TrainingSession", secondary=paf_action_session)


# --- Kept figures ---------------------------------------------------------------------------


class KeptTeacher(db.Model):
    """One row per teacher who attended a session: the first days that the training
    indicators count (rebuilt by ``kept.refresh``; never written elsewhere)."""

    __tablename__ = "reporting_kept_teacher"
    __table_args__ = (
        Index("ix_reporting_kept_teacher_trained", "first_trained_on", "academy"),
        Index("ix_reporting_kept_teacher_attended", "first_attended_on", "academy"),
    )

    teacher_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: the teacher's académie ("unknown" when the profile has none)
    academy: Mapped[str] = mapped_column(String(30))
    career_stage: Mapped[str | None] = mapped_column(String(20))
    #: end day of the first session (not cancelled) the teacher attended
    first_attended_on: Mapped[date | None] = mapped_column(Date)
    #: end day of the first session the teacher completed
    first_completed_on: Mapped[date | None] = mapped_column(Date)
    #: end day of the first qualifying completion (the 100,000 counter's rule)
    first_trained_on: Mapped[date | None] = mapped_column(Date)
    #: end day of the first session (not cancelled, attended) answered both at enrolment and
    #: in the follow-up questionnaire, and those two answers (reinvestment indicator)
    first_reinvestment_on: Mapped[date | None] = mapped_column(Date)
    used_before: Mapped[bool | None] = mapped_column()
    used_after: Mapped[bool | None] = mapped_column()


class KeptSession(db.Model):
    """Per session (not cancelled) that has ended: its attendance and rating counts."""

    __tablename__ = "reporting_kept_session"
    __table_args__ = (Index("ix_reporting_kept_session_ends", "ends_on", "academy"),)

    session_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    academy: Mapped[str] = mapped_column(String(30))
    ends_on: Mapped[date] = mapped_column(Date)
    registered: Mapped[int] = mapped_column(default=0)
    attended: Mapped[int] = mapped_column(default=0)
    completed: Mapped[int] = mapped_column(default=0)
    ratings: Mapped[int] = mapped_column(default=0)
    satisfied: Mapped[int] = mapped_column(default=0)


class KeptSolution(db.Model):
    """Teachers trained on a solution for the first time in a month (the counter's rule)."""

    __tablename__ = "reporting_kept_solution"

    solution_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    teachers: Mapped[int] = mapped_column()


class KeptPair(db.Model):
    """Each (solution, teacher) trained on it, with the month of the teacher's first completed
    session on it: what an incremental update compares to maintain ``KeptSolution``."""

    __tablename__ = "reporting_kept_pair"
    __table_args__ = (Index("ix_reporting_kept_pair_teacher", "teacher_id"),)

    solution_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    teacher_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[str] = mapped_column(String(7))


class KeptDaily(db.Model):
    """Teachers by the day of their first attended, completed or trained session (``kind``),
    académie and career stage: the dashboard's teacher counts are sums of these rows."""

    __tablename__ = "reporting_kept_daily"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    academy: Mapped[str] = mapped_column(String(30), primary_key=True)
    #: "" when the profile has none
    career_stage: Mapped[str] = mapped_column(String(20), primary_key=True)
    teachers: Mapped[int] = mapped_column()


class KeptMonthly(db.Model):
    """Teachers newly trained (the counter's rule) per month and académie: the public counter
    reads these few hundred rows."""

    __tablename__ = "reporting_kept_monthly"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    academy: Mapped[str] = mapped_column(String(30), primary_key=True)
    trained: Mapped[int] = mapped_column()


class KeptState(db.Model):
    """When the kept figures were last rebuilt (one row)."""

    __tablename__ = "reporting_kept_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)


@event.listens_for(Target, "before_update")
@event.listens_for(Target, "before_delete")
@event.listens_for(NationalPopulation, "before_update")
@event.listens_for(NationalPopulation, "before_delete")
@event.listens_for(FollowUpDelay, "before_update")
@event.listens_for(FollowUpDelay, "before_delete")
def _settings_are_append_only(mapper, connection, target) -> None:
    """A setting is changed by adding a row; changing or deleting one is a bug."""
    raise SettingsAreAppendOnly(f"{target.__tablename__} {target.id} cannot be changed")


class SettingsAreAppendOnly(RuntimeError):
    pass


def edits_reporting(user) -> bool:
    """Managers and admins read the indicators and edit their settings."""
    from accelerator.accounts.models import Role

    return user is not None and user.is_authenticated and user.role in (Role.manager, Role.admin)
