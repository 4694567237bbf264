"""What a completed training yields: the teacher's feedback and the attestation de formation.

The tables keep their names from when these lived in training (``training_feedback``,
``training_certificate``): no schema change came with the move.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.accounts.models import TeacherProfile
from accelerator.core.db import UTCDateTime, enum_column, utcnow
from accelerator.core.enums import TitledEnum
from accelerator.extensions import db
from accelerator.training.models import Enrollment, TrainingPath


class Feedback(db.Model):
    """A teacher's rating of a session they attended (satisfaction indicator)."""

    __tablename__ = "training_feedback"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), unique=True
    )
    rating: Mapped[int] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrollment: Mapped[Enrollment] = relationship()


class Certificate(db.Model):
    """An attestation de formation for a completed enrolment, verifiable by its code."""

    __tablename__ = "training_certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), unique=True
    )
    #: public verification code
    code: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enrollment: Mapped[Enrollment] = relationship()


class QuestionnaireKind(TitledEnum):
    """The questionnaires emailed to a teacher after a session they attended."""

    #: right after the session: rating 1 to 5 and a comment (the answer is a ``Feedback``)
    satisfaction = "satisfaction", _l("Satisfaction questionnaire")
    #: some weeks after the session: "have you used it in class?" (a ``FollowUpAnswer``)
    follow_up = "follow_up", _l("Follow-up questionnaire")


class QuestionnaireMailing(db.Model):
    """One questionnaire emailed for one enrolment: the unique pair (enrolment, kind) makes
    the duty that sends them idempotent (a second run finds the row and sends nothing)."""

    __tablename__ = "certification_questionnaire_mailing"
    __table_args__ = (UniqueConstraint("enrollment_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id", ondelete="CASCADE"))
    kind: Mapped[QuestionnaireKind] = mapped_column(
        enum_column(QuestionnaireKind, "questionnaire_kind", 20)
    )
    #: when the email was queued (it leaves once the duty's transaction commits)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PathCertificate(db.Model):
    """A teacher's certificate of a training path: one per (path, teacher), issued when every
    module is completed, revoked when a completion is withdrawn, reinstated (same code) when
    it is recorded again. The unique pair settles two simultaneous completions."""

    __tablename__ = "path_certificate"
    __table_args__ = (UniqueConstraint("path_id", "teacher_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("training_path.id", ondelete="RESTRICT"))
    teacher_id: Mapped[int] = mapped_column(
        ForeignKey("teacher_profile.id", ondelete="CASCADE"), index=True
    )
    #: public verification code (the attestations' alphabet and length)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    path: Mapped[TrainingPath] = relationship()
    teacher: Mapped[TeacherProfile] = relationship()


class FollowUpAnswer(db.Model):
    """A teacher's answer to the follow-up questionnaire, some weeks after a session they
    attended: "have you used it in class since the training?" (reinvestment indicator)."""

    __tablename__ = "certification_follow_up_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), unique=True
    )
    used_in_class: Mapped[bool] = mapped_column()
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrollment: Mapped[Enrollment] = relationship()
