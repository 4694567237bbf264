"""Training sessions and enrolments (with waitlist and attendance).

Capacity is enforced by the database: ``registered_count`` may never exceed ``capacity``
(a CHECK constraint), and a place is taken with one conditional UPDATE, so a crowd enrolling
in the same second cannot overfill a session.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Numeric,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.accounts.models import Role, TeacherProfile, User
from accelerator.audits.models import Solution
from accelerator.core.db import UTCDateTime, enum_column, utcnow
from accelerator.core.enums import TitledEnum
from accelerator.extensions import db


class SessionFormat(TitledEnum):
    in_person = "in_person", _l("In person")
    remote = "remote", _l("Remote")
    hybrid = "hybrid", _l("Hybrid")


class SessionStatus(TitledEnum):
    scheduled = "scheduled", _l("Scheduled")
    cancelled = "cancelled", _l("Cancelled")


class EnrollmentStatus(TitledEnum):
    registered = "registered", _l("Registered")
    waitlisted = "waitlisted", _l("On the waitlist")
    cancelled = "cancelled", _l("Cancelled")


#: Roles that create, edit and cancel sessions, take attendance and import it.
MANAGING_ROLES = (Role.trainer, Role.manager)


def runs_sessions(user) -> bool:
    """Whether ``user`` creates sessions, takes attendance and imports it."""
    return user is not None and user.is_authenticated and user.role in MANAGING_ROLES


session_solution = Table(
    "training_session_solution",
    db.metadata,
    Column("session_id", ForeignKey("training_session.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "solution_id", ForeignKey("solution.id", ondelete="RESTRICT"), primary_key=True, index=True
    ),
)


class TrainingSession(db.Model):
    __tablename__ = "training_session"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint(
            "registered_count >= 0 AND registered_count <= capacity", name="capacity_respected"
        ),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_training_session_academy_starts_at", "academy", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: public reference of the session, used by platform imports (e.g. "CANOPE-2026-0042")
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    format: Mapped[SessionFormat] = mapped_column(enum_column(SessionFormat, "session_format", 20))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_hours: Mapped[float] = mapped_column(Numeric(5, 2, asdecimal=False))
    capacity: Mapped[int] = mapped_column()
    #: places taken (registered enrolments); kept by conditional updates, checked by the DB
    registered_count: Mapped[int] = mapped_column(default=0)
    #: code among the 30 académies
    academy: Mapped[str] = mapped_column(String(30))
    #: an Atelier Canopé, a school, or a link for remote sessions
    location: Mapped[str] = mapped_column(String(300), default="")
    #: part of the académie's training plan (PAF)
    in_paf: Mapped[bool] = mapped_column(default=False)
    status: Mapped[SessionStatus] = mapped_column(
        enum_column(SessionStatus, "session_status", 20), default=SessionStatus.scheduled
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    solutions: Mapped[list[Solution]] = relationship(secondary=session_solution)
    enrollments: Mapped[list[Enrollment]] = relationship(
        back_populates="session", order_by="Enrollment.id"
    )
    created_by: Mapped[User | None] = relationship()

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.registered_count)

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.cancelled

    def has_started(self, now: datetime | None = None) -> bool:
        return self.starts_at <= (now or utcnow())

    def can_manage(self, user) -> bool:
        """Trainers and managers run every session (Canopé trainers stand in for each other)."""
        return runs_sessions(user)

    @classmethod
    def visible_to(cls, user) -> Select:
        """Sessions ``user`` may read: all of them, for everyone. Sessions are public
        information; a cancelled one stays readable (as cancelled), so that the links of the
        emails still work and enrolling in it answers 409 rather than 404."""
        return select(cls)


class Enrollment(db.Model):
    """A teacher's enrolment in a session; the waitlist is ordered by ``waitlisted_at``."""

    __tablename__ = "enrollment"
    __table_args__ = (
        UniqueConstraint("session_id", "teacher_id"),
        Index("ix_enrollment_teacher_completed", "teacher_id", "completed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_session.id", ondelete="CASCADE"), index=True
    )
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teacher_profile.id", ondelete="CASCADE"))
    status: Mapped[EnrollmentStatus] = mapped_column(
        enum_column(EnrollmentStatus, "enrollment_status", 20)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended: Mapped[bool] = mapped_column(default=False)
    completed: Mapped[bool] = mapped_column(default=False)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: where the attendance came from: "page", "api" or "import"
    attendance_source: Mapped[str | None] = mapped_column(String(20))
    #: the teacher's answer at enrolment to "do you already use this solution in class?"
    #: (None: not answered, e.g. enrolled by a trainer or through the API without it); the
    #: reinvestment indicator compares it with the follow-up questionnaire's answer
    already_uses_in_class: Mapped[bool | None] = mapped_column()

    session: Mapped[TrainingSession] = relationship(back_populates="enrollments")
    teacher: Mapped[TeacherProfile] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status != EnrollmentStatus.cancelled

    def belongs_to(self, user) -> bool:
        return (
            user is not None
            and user.is_authenticated
            and user.teacher is not None
            and user.teacher.id == self.teacher_id
        )

    def can_cancel(self, user) -> bool:
        """The teacher themself, or the staff who run the session."""
        return self.belongs_to(user) or self.session.can_manage(user)


#: The counter of trained teachers (certification/progress.py) reads the completed enrolments of
#: the qualifying sessions; this partial index answers it without touching the table. The
#: predicates are written as each database's query says them, so that its planner uses it.
Index(
    "ix_enrollment_completed_session_teacher",
    Enrollment.session_id,
    Enrollment.teacher_id,
    sqlite_where=text("completed = 1"),
    postgresql_where=text("completed"),
)


class ImportLine(db.Model):
    """A line of an attendance import on its way in (``training.imports``): staged in bulk,
    checked and merged in SQL, then deleted. Rows left by a worker that died are replaced
    when the job runs again (the batch is the job), so staging is idempotent."""

    __tablename__ = "import_line"

    #: the import: "job-<id>", or a random key for an import run without a job
    batch: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: the line's number in the file (the header is line 1)
    line: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    email: Mapped[str | None] = mapped_column(String(254))
    reference: Mapped[str | None] = mapped_column(String(100))
    present: Mapped[bool | None] = mapped_column()
    completed: Mapped[bool | None] = mapped_column()
    last_name: Mapped[str | None] = mapped_column(String(100))
    first_name: Mapped[str | None] = mapped_column(String(100))
    academy: Mapped[str | None] = mapped_column(String(30))
    uai: Mapped[str | None] = mapped_column(String(8))
    career_stage: Mapped[str | None] = mapped_column(String(20))
    #: an academic address (a teacher may be created from it)
    academic: Mapped[bool | None] = mapped_column()
    #: why the database refuses the line: one letter per failed check (codes of
    #: training.imports), None while good
    error: Mapped[str | None] = mapped_column(String(20))
    #: why the line alone is refused: its messages, one a line (None when it has none)
    detail: Mapped[str | None] = mapped_column(Text)
    #: the line where the same teacher and session first appear (a duplicate)
    first_line: Mapped[int | None] = mapped_column()
    session_id: Mapped[int | None] = mapped_column()
    teacher_id: Mapped[int | None] = mapped_column()
    enrollment_id: Mapped[int | None] = mapped_column()
    #: the teacher's profile was created by this import
    new_teacher: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: the teacher's profile gets blanks filled by this import
    filled: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: same | update | place (an enrolment not registered: needs a place) | enrol (a new
    #: enrolment, which needs a place too, its id drawn at the check)
    action: Mapped[str | None] = mapped_column(String(10))


# --- Training paths (parcours) ---------------------------------------------------------------


class PathStatus(TitledEnum):
    draft = "draft", _l("Draft")
    published = "published", _l("Published")


def designs_paths(user) -> bool:
    """Trainers and managers draft and edit training paths (they design the offer)."""
    return runs_sessions(user)


def publishes_paths(user) -> bool:
    """Only managers publish a path: a published path makes the service issue certificates."""
    return user is not None and user.is_authenticated and user.role == Role.manager


class TrainingPath(db.Model):
    """A parcours de formation: several modules; a teacher who completed every module of a
    published path receives one path certificate (``certification``).

    A module is a solution of the catalogue, not a given session: as in Réseau Canopé's
    catalogue, a module ("Prendre en main Pix", "Concevoir une séquence avec Pix") is run
    many times, in every académie, in person or remote, and the teacher follows whichever
    session suits them. Completing any session (not cancelled) on the module's solution
    satisfies the module, past sessions included (prior training is recognised), and the
    sessions scheduled later count without anyone editing the path.

    Its modules are edited while it is a draft; once published they are frozen (the promise
    made to teachers does not move under them); the title and description stay editable.
    """

    __tablename__ = "training_path"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[PathStatus] = mapped_column(
        enum_column(PathStatus, "path_status", 20), default=PathStatus.draft
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: bumped at each change: two editors at once, the second answers 409
    version: Mapped[int] = mapped_column(default=1)

    modules: Mapped[list[PathModule]] = relationship(
        back_populates="path",
        order_by="PathModule.position",
        cascade="all, delete-orphan",
    )
    created_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_published(self) -> bool:
        return self.status == PathStatus.published

    def can_read(self, user) -> bool:
        """Published paths are public; drafts are read by those who design paths."""
        return self.is_published or designs_paths(user)

    def can_edit(self, user) -> bool:
        return designs_paths(user)

    def can_edit_modules(self, user) -> bool:
        return self.can_edit(user) and not self.is_published

    def can_publish(self, user) -> bool:
        return publishes_paths(user) and not self.is_published

    def can_delete(self, user) -> bool:
        return self.can_edit(user) and not self.is_published

    @classmethod
    def visible_to(cls, user) -> Select:
        """Paths ``user`` may read: the published ones, and the drafts for their designers."""
        statement = select(cls)
        if not designs_paths(user):
            statement = statement.where(cls.status == PathStatus.published)
        return statement


class PathModule(db.Model):
    """One module of a path: satisfied by completing any session on ``solution``."""

    __tablename__ = "training_path_module"
    __table_args__ = (UniqueConstraint("path_id", "solution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(
        ForeignKey("training_path.id", ondelete="CASCADE"), index=True
    )
    #: order of the module in the path (1, 2, ...)
    position: Mapped[int] = mapped_column()
    #: e.g. "Prendre en main Pix"; the solution's name when left empty
    title: Mapped[str] = mapped_column(String(200), default="")
    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="RESTRICT"), index=True
    )

    path: Mapped[TrainingPath] = relationship(back_populates="modules")
    solution: Mapped[Solution] = relationship()

    @property
    def label(self) -> str:
        return self.title or self.solution.name
