"""Audit forms (pages). The API's schemas hold the same rules for machines."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
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
from wtforms.widgets import CheckboxInput, ListWidget

from accelerator.audits.models import Answer, ChangeOutcome, Pricing
from accelerator.audits.operations.solutions import LOGO_MAX_BYTES
from accelerator.audits.states import AuditStatus
from accelerator.audits.storage import MAX_EVIDENCE_BYTES
from accelerator.core.forms import REQUIRED, FileWithin, select_choices, size_limited
from accelerator.core.reference import DISCIPLINES, LEVELS, country_choices

LEVEL_CHOICES = select_choices((value, str(value)) for value in range(4))
JUSTIFICATION_MIN = 20


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes for one list value (subjects, levels, evidence)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SolutionForm(FlaskForm):
    name = StringField(
        _l("Name of the solution"), validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    summary = StringField(
        _l("Summary"),
        validators=[DataRequired(REQUIRED), Length(max=500)],
        description=_l("One sentence that a teacher reads in the catalogue."),
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=20000)],
        description=_l("What the solution does, for whom, and how it is used in class."),
    )
    website = StringField(
        _l("Website"),
        validators=[Optional(), Length(max=500)],
        description=_l("An address starting with https://"),
    )
    subjects = MultiCheckboxField(_l("Subjects"), choices=select_choices(DISCIPLINES.items()))
    levels = MultiCheckboxField(_l("School levels"), choices=select_choices(LEVELS.items()))
    processes_personal_data = BooleanField(_l("The solution processes personal data"))
    gar_compatible = BooleanField(
        _l("Compatible with the GAR (Gestionnaire d'accès aux ressources)")
    )
    uses_ai = BooleanField(
        _l("The solution uses artificial intelligence"),
        description=_l("The criteria of the artificial intelligence domain then apply."),
    )
    hosting_country = SelectField(_l("Country where the data is hosted"), default="FR")
    hosting_provider = StringField(
        _l("Hosting provider"),
        validators=[Optional(), Length(max=200)],
        description=_l("The company that hosts the data, such as OVHcloud or Scaleway."),
    )
    product_version = StringField(
        _l("Version of the solution"), validators=[Optional(), Length(max=50)]
    )
    pricing = RadioField(
        _l("Pricing"),
        choices=select_choices(Pricing.choices()),
        default=Pricing.free.value,
        validators=[InputRequired(REQUIRED)],
    )
    logo = FileField(
        _l("Logo"),
        validators=[FileWithin(LOGO_MAX_BYTES)],
        description=_l("PNG or JPEG, 1 MB at most."),
        render_kw=size_limited(LOGO_MAX_BYTES),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hosting_country.choices = select_choices(country_choices())

    def validate_website(self, field) -> None:
        if field.data:
            parts = urlsplit(field.data.strip())
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValidationError(str(_l("Enter a web address starting with https://")))
            field.data = field.data.strip()

    def values(self) -> dict:
        return {
            "name": self.name.data.strip(),
            "summary": self.summary.data.strip(),
            "description": (self.description.data or "").strip(),
            "website": self.website.data or None,
            "subjects": list(self.subjects.data or []),
            "levels": list(self.levels.data or []),
            "processes_personal_data": bool(self.processes_personal_data.data),
            "gar_compatible": bool(self.gar_compatible.data),
            "uses_ai": bool(self.uses_ai.data),
            "hosting_country": self.hosting_country.data,
            "hosting_provider": (self.hosting_provider.data or "").strip(),
            "product_version": (self.product_version.data or "").strip(),
            "pricing": Pricing(self.pricing.data),
        }


class CriterionAnswerForm(Form):
    """One criterion of the self-assessment (a sub-form, prefixed by the criterion code)."""

    answer = RadioField(
        _l("Your answer"), choices=select_choices(Answer.choices()), validators=[Optional()]
    )
    comment = TextAreaField(
        _l("Comment"),
        validators=[Optional(), Length(max=10000)],
        description=_l("How the solution meets the criterion."),
    )
    evidence = MultiCheckboxField(_l("Evidence"), coerce=int, validate_choice=True)


class EvidenceForm(FlaskForm):
    file = FileField(
        _l("Add a file"),
        validators=[FileRequired(REQUIRED), FileWithin(MAX_EVIDENCE_BYTES)],
        description=_l("PDF, PNG, JPEG, ODT, DOCX or CSV, 20 MB at most."),
        render_kw=size_limited(MAX_EVIDENCE_BYTES),
    )


class CommentForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=10000)])


class AssignmentForm(FlaskForm):
    expert_id = SelectField(_l("Expert"), coerce=int, validators=[DataRequired(REQUIRED)])


class ConflictForm(FlaskForm):
    organization_id = SelectField(_l("Company"), coerce=int, validators=[DataRequired(REQUIRED)])
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(REQUIRED), Length(max=5000)],
        description=_l("For example: former employee, shareholder, family."),
    )


def _justification_long_enough(form, field) -> None:
    if field.data and len(field.data.strip()) < JUSTIFICATION_MIN:
        raise ValidationError(str(_l("At least 20 characters, so that the level is explained.")))


class ScoreForm(Form):
    """One criterion scored by an expert (a sub-form, prefixed by the criterion code)."""

    level = RadioField(_l("Level"), coerce=int, choices=LEVEL_CHOICES, validators=[Optional()])
    justification = TextAreaField(
        _l("Justification"),
        validators=[Optional(), Length(max=10000), _justification_long_enough],
        description=_l("Required with the level: at least 20 characters explaining it."),
    )


class ConsolidationForm(FlaskForm):
    criterion_code = StringField(validators=[DataRequired(REQUIRED)])
    level = RadioField(
        _l("Settled level"), coerce=int, choices=LEVEL_CHOICES, validators=[InputRequired(REQUIRED)]
    )
    justification = TextAreaField(
        _l("Justification"),
        validators=[DataRequired(REQUIRED), Length(max=10000), _justification_long_enough],
    )


class ConditionForm(Form):
    text = StringField(_l("Condition"), validators=[Optional(), Length(max=2000)])
    due_date = DateField(_l("Due date"), validators=[Optional()])


class DecisionForm(FlaskForm):
    outcome = RadioField(
        _l("Decision"),
        choices=select_choices(
            (status.value, status.label)
            for status in (
                AuditStatus.approved,
                AuditStatus.approved_with_conditions,
                AuditStatus.rejected,
            )
        ),
        validators=[InputRequired(REQUIRED)],
    )
    motivation = TextAreaField(
        _l("Motivation"), validators=[DataRequired(REQUIRED), Length(max=20000)]
    )
    conditions = FieldList(FormField(ConditionForm), min_entries=3, max_entries=10)
    valid_until = DateField(
        _l("Valid until"),
        validators=[Optional()],
        description=_l("Leave empty for 24 months from today."),
    )
    committee_date = DateField(
        _l("Date of the committee"),
        validators=[InputRequired(REQUIRED)],
        default=date.today,
    )
    committee_members = TextAreaField(
        _l("Members present"),
        validators=[DataRequired(REQUIRED), Length(max=6200)],
        description=_l("One name per line, with the function if useful."),
    )

    def member_names(self) -> list[str]:
        return [line.strip() for line in (self.committee_members.data or "").splitlines()]

    def condition_values(self) -> list[dict]:
        return [
            {"text": entry.text.data.strip(), "due_date": entry.due_date.data}
            for entry in self.conditions
            if entry.text.data and entry.text.data.strip()
        ]


class AuditFilterForm(Form):
    """Filters of "Pilotage des audits" (GET)."""

    status = SelectField(_l("State"), validators=[Optional()])
    q = StringField(_l("Solution or company"), validators=[Optional(), Length(max=100)])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])


# --- Changes after approval ------------------------------------------------------------------


class ChangeForm(FlaskForm):
    """A substantial change: what changes, and the decisive declarations as they will be."""

    description = TextAreaField(
        _l("What changes"),
        validators=[DataRequired(REQUIRED), Length(max=10000)],
        description=_l("New features, new hosting, use of artificial intelligence, new prices…"),
    )
    processes_personal_data = BooleanField(_l("The solution processes personal data"))
    gar_compatible = BooleanField(
        _l("Compatible with the GAR (Gestionnaire d'accès aux ressources)")
    )
    uses_ai = BooleanField(_l("The solution uses artificial intelligence"))
    hosting_country = SelectField(_l("Country where the data is hosted"), default="FR")
    hosting_provider = StringField(_l("Hosting provider"), validators=[Length(max=200)])
    product_version = StringField(_l("Version of the solution"), validators=[Length(max=50)])
    pricing = RadioField(
        _l("Pricing"),
        choices=select_choices(Pricing.choices()),
        validators=[InputRequired(REQUIRED)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hosting_country.choices = select_choices(country_choices())

    def declarations(self) -> dict:
        return {
            "processes_personal_data": bool(self.processes_personal_data.data),
            "gar_compatible": bool(self.gar_compatible.data),
            "uses_ai": bool(self.uses_ai.data),
            "hosting_country": self.hosting_country.data,
            "hosting_provider": (self.hosting_provider.data or "").strip(),
            "product_version": (self.product_version.data or "").strip(),
            "pricing": Pricing(self.pricing.data),
        }


class ChangeDecisionForm(FlaskForm):
    outcome = RadioField(
        _l("Decision"),
        choices=select_choices(ChangeOutcome.choices()),
        validators=[InputRequired(REQUIRED)],
    )
    domains = MultiCheckboxField(_l("Domains to audit again (partial re-audit)"), choices=[])
    comment = TextAreaField(
        _l("Reasons (sent to the company)"), validators=[DataRequired(REQUIRED), Length(max=10000)]
    )


class TextsRefusalForm(FlaskForm):
    comment = TextAreaField(
        _l("Why the texts are refused"), validators=[DataRequired(REQUIRED), Length(max=10000)]
    )


class ConditionEvidenceForm(FlaskForm):
    note = TextAreaField(
        _l("How the condition is fulfilled"),
        validators=[DataRequired(REQUIRED), Length(max=10000)],
        description=_l("What was done, when, and where to check it (a page, a document)."),
    )


class ConditionJudgementForm(FlaskForm):
    met = RadioField(
        _l("The condition is"),
        choices=select_choices([("yes", _l("met")), ("no", _l("not met"))]),
        validators=[InputRequired(REQUIRED)],
    )
    comment = TextAreaField(_l("Comment (required when not met)"), validators=[Length(max=10000)])
