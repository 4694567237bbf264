"""Forms of certification: rating a session, typing a verification code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from accelerator.certification.operations import COMMENT_MAX, RATING_MAX, RATING_MIN
from accelerator.core.forms import YesNoField

RATING_MESSAGE = _l("Give a rating from 1 to 5.")


class RatingField(RadioField):
    """The 1 to 5 radios: any answer that is not one of them (missing, out of range, not a
    number) says so in the reader's words, not WTForms' "Not a valid choice"."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(RATING_MESSAGE)) from None

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(str(RATING_MESSAGE)) from None


class RateForm(FlaskForm):
    """One per attended session on "Mes formations" (prefixed by the session id)."""

    rating = RatingField(
        _l("Your rating"),
        choices=[SelectChoice(n, str(n)) for n in range(RATING_MIN, RATING_MAX + 1)],
        coerce=int,
        validators=[InputRequired(message=RATING_MESSAGE)],
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


class FollowUpForm(FlaskForm):
    """The follow-up questionnaire: one yes-or-no question (its label names the solutions)."""

    used_in_class = YesNoField(_l("Have you used it in class since the training?"))


class OptionalYesNoField(YesNoField):
    """A yes-or-no question the teacher may leave unanswered (any other value is refused)."""

    def pre_validate(self, form):
        if self.raw_data and self.raw_data[0] not in ("", None) and self.data is None:
            raise ValidationError(str(self.message))


#: Asked in the first questionnaire of a teacher whom a trainer, a manager or an import
#: enrolled (nobody asked it at enrolment): the reinvestment indicator compares it with the
#: follow-up's answer. Its label names the solutions.
PRIOR_USE_LABEL = _l("Before this training, were you already using it in class?")
PRIOR_USE_HINT = _l(
    "You were enrolled without being asked. Optional: we compare it with your answer a few "
    "weeks from now, to follow how trainings change practice."
)


class PriorUseRateForm(RateForm):
    already_used = OptionalYesNoField(PRIOR_USE_LABEL, description=PRIOR_USE_HINT)


class PriorUseFollowUpForm(FollowUpForm):
    already_used = OptionalYesNoField(PRIOR_USE_LABEL, description=PRIOR_USE_HINT)


class VerifyForm(FlaskForm):
    """Typing a verification code (GET form, no CSRF needed)."""

    class Meta:
        csrf = False

    code = StringField(
        _l("Verification code"),
        validators=[DataRequired(message=_l("Enter the code printed on the attestation."))],
        description=_l("16 characters, e.g. 7K2M-9QXD-4HTB-R8VN"),
    )


#: a signed credential is a few kilobytes; more is not one of ours
CREDENTIAL_MAX = 100_000


class CheckCredentialForm(FlaskForm):
    """Pasting a signed credential (VC-JWT) to check it."""

    jwt = TextAreaField(
        _l("Signed credential (VC-JWT)"),
        validators=[
            DataRequired(message=_l("Paste the signed credential (the content of the .jwt file).")),
            Length(max=CREDENTIAL_MAX, message=_l("This text is too long to be a credential.")),
        ],
        description=_l("Three parts separated by dots, starting with “eyJ”."),
    )
