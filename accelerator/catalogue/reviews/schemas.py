"""API shapes of the reviews."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from accelerator.catalogue.reviews.models import (
    ANSWER_MAX,
    COMMENT_MAX,
    DECISIONS,
    RATING_MAX,
    RATING_MIN,
    REASON_MAX,
)
from accelerator.catalogue.reviews.operations import author_name
from accelerator.core.schemas import StrictSchema, Trimmed, iso, max_length, not_blank

RATING_RANGE = _l("Give a rating from 1 to 5.")
ACTION_UNKNOWN = _l("Choose hide or keep.")


class ReviewIn(StrictSchema):
    rating = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(RATING_MIN, RATING_MAX, error=RATING_RANGE),
    )
    comment = Trimmed(load_default="", validate=max_length(COMMENT_MAX))


class AnswerIn(StrictSchema):
    answer = Trimmed(required=True, validate=[not_blank, max_length(ANSWER_MAX)])


class ReportIn(StrictSchema):
    reason = Trimmed(required=True, validate=[not_blank, max_length(REASON_MAX)])


class ModerationIn(StrictSchema):
    action = fields.String(
        required=True,
        validate=validate.OneOf([action.value for action in DECISIONS], error=ACTION_UNKNOWN),
        metadata={"enum": [action.value for action in DECISIONS]},
    )
    #: required to hide (told to the author)
    reason = Trimmed(load_default="", validate=max_length(REASON_MAX))


class RestoreIn(StrictSchema):
    #: told to the author
    reason = Trimmed(required=True, validate=[not_blank, max_length(REASON_MAX)])


class AnswerOut(StrictSchema):
    text = fields.String(attribute="answer")
    answered_at = fields.Function(lambda review: iso(review.answered_at), allow_none=True)


class ReviewOut(StrictSchema):
    """A review as the public reads it: the author's first name and initial only."""

    id = fields.Integer()
    solution_slug = fields.String(attribute="solution.slug")
    rating = fields.Integer()
    comment = fields.String()
    author = fields.Function(author_name)
    #: published | hidden (a hidden review is read by its author and the managers only)
    status = fields.Function(lambda review: review.status.value)
    created_at = fields.Function(lambda review: iso(review.created_at))
    edited_at = fields.Function(lambda review: iso(review.edited_at), allow_none=True)
    answer = fields.Function(
        lambda review: AnswerOut().dump(review) if review.answered_at else None,
        allow_none=True,
        metadata={"type": "object", "nullable": True, "properties": {
            "text": {"type": "string"}, "answered_at": {"type": "string", "format": "date-time"},
        }},
    )  # fmt: skip


class ReportOut(StrictSchema):
    id = fields.Integer()
    review_id = fields.Integer()
    reason = fields.String()
    created_at = fields.Function(lambda report: iso(report.created_at))


class ModerationOut(StrictSchema):
    """One moderation action of the history."""

    action = fields.Function(lambda moderation: moderation.action.value)
    reason = fields.String()
    by = fields.Function(lambda moderation: moderation.by.full_name if moderation.by else None)
    at = fields.Function(lambda moderation: iso(moderation.at))


class PendingReportOut(StrictSchema):
    reason = fields.String()
    reporter = fields.String(attribute="reporter.full_name")
    created_at = fields.Function(lambda report: iso(report.created_at))


class ModeratedReviewOut(ReviewOut):
    """A review as the managers read it: its reports waiting and its moderation history."""

    pending_reports = fields.List(fields.Nested(PendingReportOut))
    moderations = fields.List(fields.Nested(ModerationOut))
