"""Forms of the reviews' pages: a review, the company's answer, a report, a moderation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from accelerator.catalogue.reviews.models import (
    ANSWER_MAX,
    COMMENT_MAX,
    RATING_MAX,
    RATING_MIN,
    REASON_MAX,
    ModerationAction,
)
from accelerator.certification.forms import RATING_MESSAGE, RatingField

TOO_LONG = _l("At most %(max)d characters.")


class ReviewForm(FlaskForm):
    rating = RatingField(
        _l("Your rating"),
        choices=[SelectChoice(n, str(n)) for n in range(RATING_MIN, RATING_MAX + 1)],
        coerce=int,
        validators=[InputRequired(message=RATING_MESSAGE)],
        description=_l("From 1 (not useful in class) to 5 (very useful in class)"),
    )
    comment = TextAreaField(
        _l("Your comment"),
        validators=[Length(max=COMMENT_MAX, message=TOO_LONG)],
        description=_l("What you did with it in class, what worked, what did not (plain text)."),
    )


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("The company's answer"),
        validators=[
            DataRequired(message=_l("Write the answer.")),
            Length(max=ANSWER_MAX, message=TOO_LONG),
        ],
        description=_l("One answer per review: it cannot be changed once published."),
    )


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("Why should this review be moderated?"),
        validators=[
            DataRequired(message=_l("Say what breaks the rules.")),
            Length(max=REASON_MAX, message=TOO_LONG),
        ],
    )


class ModerationForm(FlaskForm):
    action = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice(
                ModerationAction.hide.value,
                _l("Hide the review (it leaves the page and the average)"),
            ),
            SelectChoice(
                ModerationAction.keep.value, _l("Keep the review (the reports are settled)")
            ),
        ],
        validators=[InputRequired(message=_l("Choose to hide or keep the review."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[Length(max=REASON_MAX, message=TOO_LONG)],
        description=_l("Required to hide the review: its author receives it."),
    )


class RestoreForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for restoring"),
        validators=[
            DataRequired(message=_l("Say why the review is shown again.")),
            Length(max=REASON_MAX, message=TOO_LONG),
        ],
        description=_l("Its author receives it."),
    )
