"""Reviews API: a solution's reviews (public), a teacher's own review, the company's answer,
reports and moderation. Handlers never commit (the request's unit of work does)."""

from __future__ import annotations

from flask_babel import gettext
from flask_login import current_user

from accelerator.accounts.models import Role
from accelerator.catalogue import queries
from accelerator.catalogue.reviews import operations
from accelerator.catalogue.reviews.models import Review
from accelerator.catalogue.reviews.schemas import (
    AnswerIn,
    ModeratedReviewOut,
    ModerationIn,
    ReportIn,
    ReportOut,
    RestoreIn,
    ReviewIn,
    ReviewOut,
)
from accelerator.core.api import api, json_body, load, paginate
from accelerator.core.errors import NotFound
from accelerator.core.openapi import documented
from accelerator.core.permissions import guarded_by, login_required, public, roles_required
from accelerator.extensions import db

TAGS = ["catalogue"]


def _entry(slug: str):
    entry = queries.entry_in_force(slug)
    if entry is None:
        raise NotFound(gettext("No solution with an approval in force has this address."))
    return entry


def _review(review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    if review is None:
        raise NotFound(gettext("No review here."))
    return review


class _Moderated:
    """A review seen with its reports waiting, for ``ModeratedReviewOut``."""

    def __init__(self, review: Review, reports: list):
        self._review = review
        self.pending_reports = reports

    def __getattr__(self, name: str):
        return getattr(self._review, name)


def _moderated(reviews: list[Review]) -> list[dict]:
    reports = operations.pending_reports(review.id for review in reviews)
    return ModeratedReviewOut(many=True).dump(
        [_Moderated(review, reports.get(review.id, [])) for review in reviews]
    )


@api.get("/catalogue/<slug>/reviews")
@public
@documented(response=ReviewOut, paginated=True, tags=TAGS)
def list_reviews(slug: str):
    """The published reviews of a solution of the catalogue, most recent first.

    Written by teachers who completed a training session on the solution; hidden reviews
    are left out (and out of the entry's `teacher_rating`).
    """
    entry = _entry(slug)
    return paginate(
        operations.published_reviews(entry.solution_id),
        lambda rows: ReviewOut(many=True).dump(rows),
    )


@api.post("/catalogue/<slug>/reviews")
@roles_required(Role.teacher)
@documented(body=ReviewIn, response=ReviewOut, status=201, errors=(409,), tags=TAGS)
def write_review(slug: str):
    """Review a solution: a rating from 1 to 5 and a comment (once per teacher).

    Only a teacher with a verified account who completed a training session on the
    solution may (403 otherwise); a second review answers 409 (edit the first with PATCH).
    """
    entry = _entry(slug)
    data = load(ReviewIn(), json_body())
    review = operations.write_review(current_user, entry, data["rating"], data["comment"])
    return ReviewOut().dump(review), 201


@api.patch("/reviews/<int:review_id>")
@roles_required(Role.teacher)
@guarded_by("Review.can_edit")
@documented(body=ReviewIn, response=ReviewOut, errors=(409,), tags=TAGS)
def edit_review(review_id: int):
    """Edit one's own review (another teacher's answers 404; a hidden one 409)."""
    review = _review(review_id)
    if not review.written_by(current_user):
        raise NotFound(gettext("No review here."))
    data = load(ReviewIn(), json_body())
    operations.edit_review(current_user, review, data["rating"], data["comment"])
    return ReviewOut().dump(review)


@api.post("/reviews/<int:review_id>/answer")
@roles_required(Role.company)
@guarded_by("Review.can_answer")
@documented(body=AnswerIn, response=ReviewOut, status=201, errors=(409,), tags=TAGS)
def answer_review(review_id: int):
    """The company owning the solution answers a review, once (409 the second time).

    A review of another company's solution answers 404.
    """
    review = _review(review_id)
    if not review.owned_by_company_of(current_user) or not review.is_published:
        raise NotFound(gettext("No review here."))
    data = load(AnswerIn(), json_body())
    operations.answer_review(current_user, review, data["answer"])
    return ReviewOut().dump(review), 201


@api.post("/reviews/<int:review_id>/reports")
@login_required
@guarded_by("Review.can_read")
@documented(body=ReportIn, response=ReportOut, status=201, errors=(409,), tags=TAGS)
def report_review(review_id: int):
    """Report a published review to the managers, with the reason (once per person)."""
    review = _review(review_id)
    if not review.is_published:
        raise NotFound(gettext("No review here."))
    data = load(ReportIn(), json_body())
    report = operations.report_review(current_user, review, data["reason"])
    return ReportOut().dump(report), 201


@api.get("/reviews/reported")
@roles_required(Role.manager)
@documented(response=ModeratedReviewOut, paginated=True, tags=TAGS)
def list_reported_reviews():
    """Published reviews with reports waiting for a manager, the oldest report first."""
    return paginate(operations.moderation_queue(), _moderated)


@api.post("/reviews/<int:review_id>/moderation")
@roles_required(Role.manager)
@documented(body=ModerationIn, response=ModeratedReviewOut, errors=(409,), tags=TAGS)
def moderate_review(review_id: int):
    """Hide a review (`reason` required, sent to its author) or keep it.

    Either settles its reports and adds a row to its moderation history (who, when, why).
    A hidden review leaves the solution's page and its `teacher_rating`; moderating it
    again answers 409.
    """
    _review(review_id)
    data = load(ModerationIn(), json_body())
    moderation = operations.moderate_review(current_user, review_id, data["action"], data["reason"])
    return _moderated([moderation.review])[0]


@api.get("/reviews/hidden")
@roles_required(Role.manager)
@documented(response=ModeratedReviewOut, paginated=True, tags=TAGS)
def list_hidden_reviews():
    """Reviews hidden by moderation, the most recently hidden first, with their history."""
    return paginate(operations.hidden_reviews(), _moderated)


@api.post("/reviews/<int:review_id>/restoration")
@roles_required(Role.manager)
@documented(body=RestoreIn, response=ModeratedReviewOut, errors=(409,), tags=TAGS)
def restore_review(review_id: int):
    """Show a hidden review again (`reason` required, sent to its author).

    The review is back on the solution's page and in its `teacher_rating`, and the restore
    is a row of its moderation history; a review already shown answers 409.
    """
    _review(review_id)
    data = load(RestoreIn(), json_body())
    moderation = operations.restore_review(current_user, review_id, data["reason"])
    return _moderated([moderation.review])[0]
