"""Reviews, their reports and the history of their moderation.

A review hangs on the solution, not on its catalogue entry: an entry is deleted when an
approval lapses and made again at the next one, and the reviews stay meanwhile.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.accounts.models import Role, TeacherProfile, User
from accelerator.audits.models import Solution
from accelerator.core.db import UTCDateTime, enum_column, utcnow
from accelerator.core.enums import TitledEnum
from accelerator.extensions import db

RATING_MIN, RATING_MAX = 1, 5
COMMENT_MAX = 2000
ANSWER_MAX = 2000
REASON_MAX = 1000


class ReviewStatus(TitledEnum):
    published = "published", _l("Published")
    hidden = "hidden", _l("Hidden by moderation")


class ModerationAction(TitledEnum):
    hide = "hide", _l("Hidden")
    keep = "keep", _l("Kept")
    #: a hidden review shown again (a manager undoing a hide, with the reason)
    restore = "restore", _l("Restored")


#: what a manager decides on a shown review; ``restore`` acts on a hidden one
DECISIONS = (ModerationAction.hide, ModerationAction.keep)


class Review(db.Model):
    __tablename__ = "solution_review"
    __table_args__ = (
        # One review per teacher and solution: two submissions in the same second leave one.
        UniqueConstraint("solution_id", "teacher_id", name="uq_solution_review_teacher"),
        CheckConstraint("rating >= 1 AND rating <= 5", name="rating_range"),
        # The solution page lists the published reviews, most recent first.
        Index("ix_solution_review_solution_status", "solution_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    solution_id: Mapped[int] = mapped_column(ForeignKey("solution.id", ondelete="CASCADE"))
    teacher_id: Mapped[int] = mapped_column(
        ForeignKey("teacher_profile.id", ondelete="CASCADE"), index=True
    )
    #: 1 to 5
    rating: Mapped[int] = mapped_column()
    #: plain text (escaped when shown)
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ReviewStatus] = mapped_column(
        enum_column(ReviewStatus, "review_status", 20), default=ReviewStatus.published
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the author's last edit (None: never edited)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the company's answer, given once (set by a conditional UPDATE)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    solution: Mapped[Solution] = relationship()
    teacher: Mapped[TeacherProfile] = relationship()
    answered_by: Mapped[User | None] = relationship()
    moderations: Mapped[list[ReviewModeration]] = relationship(
        order_by="ReviewModeration.id", viewonly=True
    )

    @property
    def is_published(self) -> bool:
        return self.status == ReviewStatus.published

    def written_by(self, user) -> bool:
        return (
            user is not None
            and user.is_authenticated
            and user.teacher is not None
            and user.teacher.id == self.teacher_id
        )

    def can_edit(self, user) -> bool:
        """Its author, while it is shown (a hidden review is not rewritten past moderation)."""
        return self.written_by(user) and self.is_published

    def can_answer(self, user) -> bool:
        """A member of the company owning the solution, once."""
        return self.owned_by_company_of(user) and self.answered_at is None and self.is_published

    def owned_by_company_of(self, user) -> bool:
        return (
            user is not None
            and user.is_authenticated
            and user.role == Role.company
            and user.organization_id is not None
            and user.organization_id == self.solution.organization_id
        )

    def can_restore(self, user) -> bool:
        """A manager, while the review is hidden."""
        return moderates_reviews(user) and not self.is_published

    def can_read(self, user) -> bool:
        """Published reviews are public; a hidden one is read by its author and managers."""
        if self.is_published:
            return True
        return self.written_by(user) or moderates_reviews(user)


def moderates_reviews(user) -> bool:
    return user is not None and user.is_authenticated and user.role == Role.manager


class ReviewReport(db.Model):
    """Someone signed in says a review breaks the rules; settled by the next moderation."""

    __tablename__ = "solution_review_report"
    __table_args__ = (
        UniqueConstraint("review_id", "reporter_id", name="uq_solution_review_report_reporter"),
        # The moderation queue: reports not settled yet.
        Index("ix_solution_review_report_pending", "moderation_id", "review_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("solution_review.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the moderation that settled it (None: waiting for a manager)
    moderation_id: Mapped[int | None] = mapped_column(
        ForeignKey("solution_review_moderation.id", ondelete="SET NULL")
    )

    review: Mapped[Review] = relationship()
    reporter: Mapped[User] = relationship()


class ReviewModeration(db.Model):
    """One moderation action (append-only): who, when, what and why."""

    __tablename__ = "solution_review_moderation"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("solution_review.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[ModerationAction] = mapped_column(
        enum_column(ModerationAction, "review_moderation_action", 10)
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    by: Mapped[User | None] = relationship()
    review: Mapped[Review] = relationship(viewonly=True)
