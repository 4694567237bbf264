"""Account forms (pages). The same rules as the API's schemas, from ``rules``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from accelerator.accounts import rules
from accelerator.accounts.models import STAFF_ROLES, Role, VerificationMethod
from accelerator.core.forms import REQUIRED, select_choices
from accelerator.core.reference import ACADEMIES, CAREER_STAGES, DISCIPLINES, country_choices

EMAIL_INVALID = _l("Enter a valid email address, such as nom@exemple.fr.")


def _email_field(label=None):
    return EmailField(
        label or _l("Email address"),
        validators=[DataRequired(REQUIRED), Email(EMAIL_INVALID), Length(max=254)],
        filters=[lambda v: v.strip() if v else v],
    )


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    """A new password and its confirmation, declared where the form's page shows them: a
    form's fields are in the order they are declared, and so is its error summary."""
    return (
        PasswordField(
            _l("Password"),
            validators=[DataRequired(REQUIRED)],
            description=_l("At least 12 characters. A sentence you remember is a good password."),
        ),
        PasswordField(
            _l("Confirm the password"),
            validators=[DataRequired(REQUIRED), EqualTo("password", rules.PASSWORDS_DIFFER)],
        ),
    )


class NewPasswordMixin:
    """The rules of a new password (its fields: ``new_password_fields``)."""

    def validate_password(self, field) -> None:
        error = rules.password_error(field.data)
        if error:
            raise ValidationError(error)


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)])
    remember = BooleanField(_l("Stay signed in on this device"))


class CompanyRegistrationForm(NewPasswordMixin, FlaskForm):
    organization_name = StringField(
        _l("Company name"), validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    country = SelectField(_l("Country of the head office"), default="FR")
    siren = StringField(
        _l("SIREN"),
        description=_l("9 digits, on your Kbis extract. Required for a company based in France."),
    )
    full_name = StringField(
        _l("Your full name"), validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    email = _email_field(_l("Professional email address"))
    password, password_confirm = new_password_fields()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = select_choices(country_choices())

    def validate_siren(self, field) -> None:
        siren, error = rules.clean_siren(field.data)
        if error:
            raise ValidationError(error)
        if siren is None and self.country.data == "FR":
            raise ValidationError(str(rules.SIREN_REQUIRED))
        field.data = siren


class TeacherRegistrationForm(NewPasswordMixin, FlaskForm):
    full_name = StringField(
        _l("Your full name"), validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    email = _email_field(_l("Academic email address"))
    password, password_confirm = new_password_fields()
    academy = SelectField(
        _l("Académie"),
        choices=select_choices(ACADEMIES.items(), _l("Choose your académie")),
        validators=[DataRequired(rules.ACADEMY_UNKNOWN)],
    )
    uai = StringField(
        _l("UAI of your school"),
        validators=[DataRequired(REQUIRED)],
        description=_l("7 digits and a letter, for example 0750655E."),
    )
    discipline = SelectField(
        _l("Discipline"),
        choices=select_choices(DISCIPLINES.items(), _l("Choose your discipline")),
        validators=[DataRequired(rules.DISCIPLINE_UNKNOWN)],
    )
    career_stage = SelectField(
        _l("Career stage"),
        choices=select_choices(CAREER_STAGES.items(), _l("Choose your career stage")),
        validators=[DataRequired(rules.CAREER_STAGE_UNKNOWN)],
    )

    def validate_uai(self, field) -> None:
        uai, error = rules.clean_uai(field.data)
        if error:
            raise ValidationError(error)
        field.data = uai


class ForgotPasswordForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    password, password_confirm = new_password_fields()


class StaffUserForm(NewPasswordMixin, FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    email = _email_field()
    role = SelectField(
        _l("Role"),
        choices=select_choices((role.value, role.label) for role in STAFF_ROLES),
        validators=[DataRequired(REQUIRED)],
    )
    password, password_confirm = new_password_fields()


class UserSearchForm(Form):
    """Filters of the admins' accounts list (GET): the start of a name or an email, a role,
    and the keyset cursor (the last account of the previous page)."""

    q = StringField(
        _l("Search"),
        validators=[Optional(), Length(max=254)],
        description=_l(
            "The start of the name or of the email address, such as “dupont” or “marie.d”."
        ),
    )
    role = SelectField(_l("Role"), validators=[Optional()])
    after = IntegerField(validators=[Optional(), NumberRange(min=1)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = select_choices(
            ((role.value, role.label) for role in Role), placeholder=_l("All roles")
        )


class NameForm(FlaskForm):
    """The name an account goes by."""

    full_name = StringField(
        _l("Your full name"), validators=[DataRequired(REQUIRED), Length(max=200)]
    )


class PasswordChangeForm(NewPasswordMixin, FlaskForm):
    """A new password, once the current one is given."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    password, password_confirm = new_password_fields()


class LanguageForm(FlaskForm):
    """The language an account's pages and emails use."""

    language = SelectField(
        _l("Language"),
        choices=select_choices([("fr", "Français"), ("en", "English")]),
        validators=[DataRequired(REQUIRED)],
    )


# --- Organizations ---------------------------------------------------------------------------


class InvitationForm(FlaskForm):
    email = _email_field(_l("Your colleague's professional email address"))


class InvitationAccountForm(NewPasswordMixin, FlaskForm):
    full_name = StringField(
        _l("Your full name"), validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    password, password_confirm = new_password_fields()


class TransferForm(FlaskForm):
    user_id = SelectField(_l("New owner"), coerce=int, validators=[DataRequired(REQUIRED)])


class RefusalForm(FlaskForm):
    comment = TextAreaField(_l("Reason (sent to the requester)"), validators=[Length(max=5000)])


class DisputeForm(FlaskForm):
    message = TextAreaField(
        _l("Why this SIREN is yours"),
        validators=[DataRequired(REQUIRED), Length(max=5000)],
        description=_l("A manager of Réseau Canopé reads it and checks the company's documents."),
    )


class SettlementForm(FlaskForm):
    outcome = RadioField(
        _l("Decision"),
        choices=select_choices(
            [
                ("grant", _l("Add the requester as a member")),
                ("transfer", _l("Give the requester the ownership (the owner becomes a member)")),
                ("dismiss", _l("Dismiss the dispute")),
            ]
        ),
        validators=[DataRequired(REQUIRED)],
    )
    comment = TextAreaField(
        _l("Reasons (sent to both)"), validators=[DataRequired(REQUIRED), Length(max=5000)]
    )


class VerificationForm(FlaskForm):
    method = RadioField(
        _l("How the organization was checked"),
        choices=select_choices(VerificationMethod.choices()),
        validators=[DataRequired(REQUIRED)],
    )
    comment = TextAreaField(
        _l("Comment"),
        validators=[Length(max=2000)],
        description=_l("What was checked: register extract date, Kbis number, document seen."),
    )


class EmptyForm(FlaskForm):
    """A button that changes state: only its CSRF token."""
