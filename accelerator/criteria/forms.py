"""Forms of the cadre de confiance: administrators' editing and the public self-diagnostic.

The same rules as the YAML loader and the operations, from ``rules``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from accelerator.core.forms import REQUIRED, select_choices
from accelerator.criteria import rules

WEIGHT = _l("A weight is a number greater than 0.")
THRESHOLD = _l("Thresholds are numbers between 0 and 100.")
FLOOR = _l("A floor is a minimum domain score between 0 and 100.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _upper(value):
    return value.strip().upper() if isinstance(value, str) else value


def _weight_field(label):
    return DecimalField(
        label,
        places=None,
        validators=[InputRequired(REQUIRED), NumberRange(min=0.001, message=WEIGHT)],
        default=1,
    )


class EmptyForm(FlaskForm):
    """A button that changes state: only its CSRF token."""


class VersionForm(FlaskForm):
    version = StringField(
        _l("Version number"),
        validators=[DataRequired(REQUIRED), Length(max=20)],
        filters=[_strip],
        description=_l("Letters, digits, dots and hyphens, such as 2027.1."),
    )
    label = StringField(
        _l("Title of the version"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        filters=[_strip],
    )
    approve = DecimalField(
        _l("Approval threshold (overall score out of 100)"),
        places=None,
        validators=[InputRequired(REQUIRED), NumberRange(min=0, max=100, message=THRESHOLD)],
    )
    approve_with_conditions = DecimalField(
        _l("Threshold for approval with conditions"),
        places=None,
        validators=[InputRequired(REQUIRED), NumberRange(min=0, max=100, message=THRESHOLD)],
    )

    def validate_version(self, field) -> None:
        if field.data and not rules.VERSION_LABEL.match(field.data):
            raise ValidationError(_l("Letters, digits, dots and hyphens only, such as 2026.1."))

    def validate_approve_with_conditions(self, field) -> None:
        if self.approve.data is not None and field.data is not None:
            error = rules.thresholds_error(float(self.approve.data), float(field.data))
            if error:
                raise ValidationError(error)


class DomainForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(REQUIRED), Length(max=10)],
        filters=[_upper],
        description=_l("2 to 10 capital letters, such as RGPD."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField(
        _l("Description"), validators=[Optional()], filters=[_strip], default=""
    )
    weight = _weight_field(_l("Weight of the domain in the overall score"))
    floor = DecimalField(
        _l("Floor (minimum domain score)"),
        places=None,
        validators=[
            Optional(),
            NumberRange(min=0, max=100, message=FLOOR),
        ],
        description=_l("Below this score, the domain forbids an approval. Leave empty for none."),
    )

    def validate_code(self, field) -> None:
        if field.data and not rules.DOMAIN_CODE.match(field.data):
            raise ValidationError(_l("2 to 10 capital letters, such as RGPD."))

    def data_for_operation(self) -> dict:
        return {
            "code": self.code.data,
            "name": self.name.data.strip(),
            "description": self.description.data or "",
            "weight": float(self.weight.data),
            "floor": None if self.floor.data is None else float(self.floor.data),
        }


class LevelForm(Form):
    label = StringField(_l("Label"), validators=[DataRequired(REQUIRED), Length(max=100)])
    descriptor = TextAreaField(
        _l("What this level looks like for this criterion"),
        validators=[DataRequired(REQUIRED)],
        filters=[_strip],
    )


class CriterionForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(REQUIRED), Length(max=20)],
        filters=[_upper],
        description=_l("The domain's code, a hyphen and two digits, such as RGPD-03."),
    )
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=300)])
    guidance = TextAreaField(
        _l("Guidance"),
        validators=[DataRequired(REQUIRED)],
        filters=[_strip],
        description=_l("What the criterion asks, and the public reference it rests on."),
    )
    evidence_expected = TextAreaField(
        _l("Evidence expected"), validators=[DataRequired(REQUIRED)], filters=[_strip]
    )
    weight = _weight_field(_l("Weight within the domain"))
    eliminatory = BooleanField(_l("Eliminatory: an approved solution may not miss it"))
    min_level = SelectField(
        _l("Minimum level (eliminatory criteria only)"),
        choices=select_choices((str(value), str(value)) for value in rules.LEVEL_VALUES),
        default="0",
    )
    applies_if = SelectField(
        _l("Applies only if"),
        choices=select_choices(rules.ATTRIBUTES.items(), _l("Always applies")),
        default="",
        validators=[Optional()],
    )
    public = BooleanField(
        _l("Public: the level an approved solution reached is shown in the catalogue")
    )
    levels = FieldList(FormField(LevelForm), min_entries=4, max_entries=4)

    def __init__(self, *args, domain_code: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.domain_code = domain_code

    def validate_code(self, field) -> None:
        if (
            field.data
            and self.domain_code
            and not rules.criterion_code_pattern(self.domain_code).match(field.data)
        ):
            raise ValidationError(
                _l(
                    "The code is the domain's code, a hyphen and two digits, such as %(example)s.",
                    example=self.domain_code + "-01",
                )
            )

    def validate_min_level(self, field) -> None:
        error = rules.min_level_error(bool(self.eliminatory.data), int(field.data or 0))
        if error:
            raise ValidationError(error)

    def data_for_operation(self) -> dict:
        return {
            "code": self.code.data,
            "title": self.title.data.strip(),
            "guidance": self.guidance.data,
            "evidence_expected": self.evidence_expected.data,
            "weight": float(self.weight.data),
            "eliminatory": bool(self.eliminatory.data),
            "min_level": int(self.min_level.data or 0),
            "applies_if": self.applies_if.data or None,
            "public": bool(self.public.data),
            "levels": [
                (entry.form.label.data.strip(), entry.form.descriptor.data)
                for entry in self.levels.entries
            ],
        }


ANSWER_LABELS = {
    "yes": _l("Yes"),
    "partial": _l("Partly"),
    "no": _l("No"),
    "not_applicable": _l("Not applicable"),
}


def diagnostic_form(version, formdata=None) -> FlaskForm:
    """A form with one yes/partly/no/not applicable question per criterion of ``version``,
    and the solution's attributes. Field names are ``c_<code>`` (codes contain hyphens)."""

    class DiagnosticForm(FlaskForm):
        pass

    for name, label in rules.ATTRIBUTES.items():
        setattr(DiagnosticForm, f"attr_{name}", BooleanField(label))
    for criterion in version.criteria():
        setattr(
            DiagnosticForm,
            field_name(criterion.code),
            RadioField(
                f"{criterion.code} — {criterion.title}",
                choices=select_choices(ANSWER_LABELS.items()),
                validators=[Optional()],
                validate_choice=True,
            ),
        )
    return DiagnosticForm(formdata=formdata)


def field_name(code: str) -> str:
    return "c_" + code.replace("-", "_")
