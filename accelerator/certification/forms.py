"""Forms of certification: rating a session, typing a verification code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from accelerator.certification.operations import COMMENT_MAX, RATING_MAX, RATING_MIN


class RateForm(FlaskForm):
    """One per attended session on "Mes formations" (prefixed by the session id)."""

    rating = RadioField(
        _l("Your rating"),
        choices=[SelectChoice(n, str(n)) for n in range(RATING_MIN, RATING_MAX + 1)],
        coerce=int,
        validators=[InputRequired(message=_l("Give a rating from 1 to 5."))],
        description=_l("From 1 (not satisfied) to 5 (very satisfied)"),
    )
    comment = TextAreaField(
        _l("Comment"),
        validators=[
            Length(
                max=COMMENT_MAX, message=_l("The comment is too long (2000 characters at most).")
            )
        ],
    )


class VerifyForm(FlaskForm):
    """Typing a verification code (GET form, no CSRF needed)."""

    class Meta:
        csrf = False

    code = StringField(
        _l("Verification code"),
        validators=[DataRequired(message=_l("Enter the code printed on the attestation."))],
        description=_l("16 characters, e.g. 7K2M-9QXD-4HTB-R8VN"),
    )
