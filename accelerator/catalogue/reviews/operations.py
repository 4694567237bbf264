"""The reviews' rules: who writes, edits, answers, reports and moderates, and the kept
figures of the catalogue entry.

Every operation that changes what the public sees (a new review, an edit, a hide, a
restore) ends
with ``recount``: it locks the solution's catalogue entry and counts its published reviews
again, in the same transaction, so two reviews of one solution at once cannot both write
a count that misses the other. Mail is queued in the outbox and leaves after the commit.
"""

from __future__ import annotations

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from accelerator.accounts.models import Role, User
from accelerator.catalogue.models import CatalogueEntry
from accelerator.catalogue.reviews.models import (
    ANSWER_MAX,
    COMMENT_MAX,
    DECISIONS,
    RATING_MAX,
    RATING_MIN,
    REASON_MAX,
    ModerationAction,
    Review,
    ReviewModeration,
    ReviewReport,
    ReviewStatus,
    moderates_reviews,
)
from accelerator.certification.operations import public_name
from accelerator.core import mail
from accelerator.core.db import utcnow
from accelerator.core.errors import Conflict, Forbidden, Invalid, NotFound
from accelerator.core.urls import public_url
from accelerator.extensions import db
from accelerator.training.operations.paths import completed_sessions

MAIL_LOCALE = "fr"
NEW_REVIEW_SUBJECT = _l("A teacher reviewed %(solution)s")
ANSWERED_SUBJECT = _l("The company answered your review of %(solution)s")
HIDDEN_SUBJECT = _l("Your review of %(solution)s was hidden")
RESTORED_SUBJECT = _l("Your review of %(solution)s is shown again")


def _invalid(field: str, message: str) -> Invalid:
    return Invalid(gettext("Some fields are invalid."), {field: [message]})


def _text(value: str | None, field: str, limit: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise _invalid(field, gettext("This field cannot be empty."))
    if len(value) > limit:
        raise _invalid(field, gettext("At most %(max)s characters.", max=limit))
    return value


def _rating(value) -> int:
    whole = isinstance(value, int) and not isinstance(value, bool)
    if not whole or not RATING_MIN <= value <= RATING_MAX:
        raise _invalid("rating", gettext("Give a rating from 1 to 5."))
    return value


# --- Who may review --------------------------------------------------------------------------


def completed_training_on(user, solution_id: int) -> bool:
    """A teacher with a verified account who completed a session on the solution (training's
    completed enrolment: attendance recorded, the completion that issues an attestation)."""
    if user is None or not user.is_authenticated or user.role != Role.teacher:
        return False
    if not user.email_verified or user.teacher is None:
        return False
    return bool(completed_sessions(user.teacher.id, [solution_id]))


def review_of(user, solution_id: int) -> Review | None:
    """The caller's own review of the solution (hidden or not), if any."""
    if user is None or not user.is_authenticated or user.teacher is None:
        return None
    return db.session.scalar(
        select(Review).where(
            Review.solution_id == solution_id, Review.teacher_id == user.teacher.id
        )
    )


def write_review(user, entry: CatalogueEntry, rating, comment: str | None) -> Review:
    """A teacher's review of a solution of the catalogue: once per teacher and solution."""
    if not completed_training_on(user, entry.solution_id):
        raise Forbidden(
            gettext(
                "Only teachers who completed a training session on this solution, with a "
                "verified account, may review it."
            )
        )
    rating = _rating(rating)
    comment = _text(comment, "comment", COMMENT_MAX, required=False)
    if review_of(user, entry.solution_id) is not None:
        raise Conflict(gettext("You have already reviewed this solution: edit your review."))
    review = Review(
        solution_id=entry.solution_id, teacher_id=user.teacher.id, rating=rating, comment=comment
    )
    try:
        # The unique (solution, teacher) settles two submissions in the same second.
        with db.session.begin_nested():
            db.session.add(review)
    except IntegrityError:
        raise Conflict(
            gettext("You have already reviewed this solution: edit your review.")
        ) from None
    recount(entry.solution_id)
    _tell_company(review, entry)
    return review


def edit_review(user, review: Review, rating, comment: str | None) -> Review:
    """Its author changes the rating and the comment (not once it is hidden)."""
    if not review.written_by(user):
        raise NotFound(gettext("No review here."))
    if not review.is_published:
        raise Conflict(gettext("This review was hidden by moderation: it cannot be edited."))
    rating = _rating(rating)
    comment = _text(comment, "comment", COMMENT_MAX, required=False)
    if (review.rating, review.comment) != (rating, comment):
        review.rating, review.comment, review.edited_at = rating, comment, utcnow()
        db.session.flush()
        recount(review.solution_id)
    return review


# --- The company's answer --------------------------------------------------------------------


def answer_review(user, review: Review, text: str | None) -> Review:
    """A member of the company owning the solution answers the review, once."""
    if not review.owned_by_company_of(user) or not review.is_published:
        raise NotFound(gettext("No review here."))
    text = _text(text, "answer", ANSWER_MAX, required=True)
    now = utcnow()
    # Conditional: of two answers at once, one finds the review already answered.
    answered = db.session.execute(
        update(Review)
        .where(Review.id == review.id, Review.answered_at.is_(None))
        .values(answer=text, answered_at=now, answered_by_id=user.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not answered:
        raise Conflict(gettext("This review already has the company's answer."))
    db.session.refresh(review)
    _touch(review.solution_id)
    author = review.teacher.user
    if author is not None and author.active:
        _queue(
            author.email,
            ANSWERED_SUBJECT,
            "review_answered",
            review,
            answer=text,
            locale=author.locale,
        )
    return review


# --- Reports and moderation ------------------------------------------------------------------


def report_review(user, review: Review, reason: str | None) -> ReviewReport:
    """Anyone signed in says why a shown review breaks the rules; once per person."""
    if not review.is_published:
        raise NotFound(gettext("No review here."))
    if review.written_by(user):
        raise Conflict(gettext("You cannot report your own review."))
    reason = _text(reason, "reason", REASON_MAX, required=True)
    report = ReviewReport(review_id=review.id, reporter_id=user.id, reason=reason)
    try:
        with db.session.begin_nested():
            db.session.add(report)
    except IntegrityError:
        raise Conflict(gettext("You have already reported this review.")) from None
    return report


def moderate_review(user, review_id: int, action, reason: str | None) -> ReviewModeration:
    """A manager hides a review (with the reason, told to its author) or keeps it; either
    settles its reports and is kept in its history."""
    review = _locked_for_moderation(user, review_id)
    try:
        action = ModerationAction(action)
    except ValueError:
        action = None
    if action not in DECISIONS:
        raise _invalid("action", gettext("Choose hide or keep."))
    reason = _text(reason, "reason", REASON_MAX, required=action == ModerationAction.hide)
    if not review.is_published:
        raise Conflict(gettext("This review is already hidden."))
    moderation = ReviewModeration(review_id=review.id, action=action, reason=reason, by_id=user.id)
    db.session.add(moderation)
    db.session.flush()
    db.session.execute(
        update(ReviewReport)
        .where(ReviewReport.review_id == review.id, ReviewReport.moderation_id.is_(None))
        .values(moderation_id=moderation.id)
        .execution_options(synchronize_session=False)
    )
    if action == ModerationAction.hide:
        _change_visibility(review, ReviewStatus.hidden, HIDDEN_SUBJECT, "review_hidden", reason)
    db.session.expire(review, ["moderations"])
    return moderation


def restore_review(user, review_id: int, reason: str | None) -> ReviewModeration:
    """A manager shows a hidden review again, with the reason (told to its author): it is
    back on the page and in the figures, and the restore is kept in its history."""
    review = _locked_for_moderation(user, review_id)
    reason = _text(reason, "reason", REASON_MAX, required=True)
    # Read under the lock: of two managers restoring at once, the second finds it shown.
    if review.is_published:
        raise Conflict(gettext("This review is already shown."))
    moderation = ReviewModeration(
        review_id=review.id, action=ModerationAction.restore, reason=reason, by_id=user.id
    )
    db.session.add(moderation)
    _change_visibility(review, ReviewStatus.published, RESTORED_SUBJECT, "review_restored", reason)
    db.session.expire(review, ["moderations"])
    return moderation


def _change_visibility(
    review: Review, status: ReviewStatus, subject, template: str, reason: str
) -> None:
    """Hide or show ``review`` again: the solution's kept figures follow, and its author
    (an active account) is told why, by a mail sent once the change is committed."""
    review.status = status
    db.session.flush()
    recount(review.solution_id)
    author = review.teacher.user
    if author is not None and author.active:
        _queue(author.email, subject, template, review, reason=reason, locale=author.locale)


def _locked_for_moderation(user, review_id: int) -> Review:
    """The review, locked: one moderator at a time, reading what the other one decided."""
    if not moderates_reviews(user):
        raise Forbidden(gettext("Only managers moderate reviews."))
    review = db.session.scalar(
        select(Review)
        .where(Review.id == review_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if review is None:
        raise NotFound(gettext("No review here."))
    return review


# --- The catalogue entry's kept figures ------------------------------------------------------


def _published(solution_ids) -> Select:
    return (
        select(Review.solution_id, func.count(), func.avg(Review.rating))
        .where(Review.solution_id.in_(list(solution_ids)), Review.status == ReviewStatus.published)
        .group_by(Review.solution_id)
    )


def review_figures(solution_ids) -> dict[int, tuple[int, float]]:
    """(count, average rating) of the published reviews of each solution (absent: none)."""
    return {
        solution_id: (count, float(average))
        for solution_id, count, average in db.session.execute(_published(solution_ids))
    }


def recount(solution_id: int) -> None:
    """Write the published reviews' count and average on the solution's catalogue entry
    (locked first, so a concurrent review waits and counts this one)."""
    entry = db.session.scalar(
        select(CatalogueEntry)
        .where(CatalogueEntry.solution_id == solution_id)
        .with_for_update()
        .execution_options(populate_existing=True)  # the figures as committed, not as read
    )
    if entry is None:  # not in the catalogue now: its next entry counts them (``_sync``)
        return
    count, average = review_figures([solution_id]).get(solution_id, (0, 0.0))
    if (entry.review_count, entry.review_rating) != (count, average):
        entry.review_count, entry.review_rating = count, average
        entry.updated_at = utcnow()  # the page and the listing changed: so do their ETags


def _touch(solution_id: int) -> None:
    """An answer changes the solution's page: its entry's ETag moves."""
    db.session.execute(
        update(CatalogueEntry)
        .where(CatalogueEntry.solution_id == solution_id)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


# --- Reading ---------------------------------------------------------------------------------


def published_reviews(solution_id: int) -> Select:
    """The solution's shown reviews, most recent first."""
    return (
        select(Review)
        .options(joinedload(Review.teacher))
        .where(Review.solution_id == solution_id, Review.status == ReviewStatus.published)
        .order_by(Review.created_at.desc(), Review.id.desc())
    )


def get_review(user, review_id: int) -> Review:
    """A review the caller may read (published, or their own, or any for a manager)."""
    review = db.session.get(Review, review_id)
    if review is None or not review.can_read(user):
        raise NotFound(gettext("No review here."))
    return review


def moderation_queue() -> Select:
    """Shown reviews with reports waiting for a manager, the oldest report first."""
    first_pending = (
        select(ReviewReport.review_id, func.min(ReviewReport.created_at).label("since"))
        .where(ReviewReport.moderation_id.is_(None))
        .group_by(ReviewReport.review_id)
        .subquery()
    )
    return (
        select(Review)
        .join(first_pending, first_pending.c.review_id == Review.id)
        .where(Review.status == ReviewStatus.published)
        .order_by(first_pending.c.since, Review.id)
    )


def hidden_reviews() -> Select:
    """Reviews hidden by moderation, the most recently hidden first (a manager may restore
    them)."""
    last_hidden = (
        select(ReviewModeration.review_id, func.max(ReviewModeration.id).label("last"))
        .where(ReviewModeration.action == ModerationAction.hide)
        .group_by(ReviewModeration.review_id)
        .subquery()
    )
    return (
        select(Review)
        .outerjoin(last_hidden, last_hidden.c.review_id == Review.id)
        .where(Review.status == ReviewStatus.hidden)
        .order_by(last_hidden.c.last.desc().nulls_last(), Review.id.desc())
    )


def pending_reports(review_ids) -> dict[int, list[ReviewReport]]:
    reports: dict[int, list[ReviewReport]] = {}
    for report in db.session.scalars(
        select(ReviewReport)
        .options(joinedload(ReviewReport.reporter))
        .where(ReviewReport.review_id.in_(list(review_ids)), ReviewReport.moderation_id.is_(None))
        .order_by(ReviewReport.created_at, ReviewReport.id)
    ):
        reports.setdefault(report.review_id, []).append(report)
    return reports


def author_name(review: Review) -> str:
    """What the public reads of the author: first name and initial (data minimisation)."""
    return public_name(review.teacher)


# --- Mail --------------------------------------------------------------------------------------


def _queue(to, subject, template: str, review: Review, locale: str | None = None, **context):
    solution = review.solution
    with force_locale(locale or MAIL_LOCALE):
        text = str(subject) % {"solution": solution.name}
        mail.queue_mail(
            to,
            text,
            template,
            solution=solution.name,
            rating=review.rating,
            comment=review.comment,
            url=public_url("catalogue.solution", slug=solution.slug) + f"#review-{review.id}",
            **context,
        )


def _tell_company(review: Review, entry: CatalogueEntry) -> None:
    emails = list(
        db.session.scalars(
            select(User.email).where(
                User.organization_id == review.solution.organization_id,
                User.role == Role.company,
                User.active.is_(True),
            )
        )
    )
    if emails:
        _queue(emails, NEW_REVIEW_SUBJECT, "review_new", review, author=author_name(review))


#: reviews shown on the solution's page (the API pages through all of them)
PAGE_REVIEWS = 50


def page_context(user, entry: CatalogueEntry) -> dict:
    """What the solution's page shows of the reviews, and what the reader may do there."""
    reviews = list(db.session.scalars(published_reviews(entry.solution_id).limit(PAGE_REVIEWS)))
    own = review_of(user, entry.solution_id)
    company = (
        user is not None
        and user.is_authenticated
        and user.role == Role.company
        and user.organization_id == entry.solution.organization_id
    )
    return {
        "reviews": reviews,
        "own_review": own,
        "may_review": own is None and completed_training_on(user, entry.solution_id),
        "answers_reviews": company,
        "signed_in": user is not None and user.is_authenticated,
        "author_name": author_name,
    }
