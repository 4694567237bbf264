"""Forms of the indicators' settings (pages): a target, a national population, a partnership
agreement, a PAF action. Each submission adds a row (the history stays)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from accelerator.audits.storage import MAX_EVIDENCE_BYTES
from accelerator.core.forms import FileWithin, select_choices, size_limited
from accelerator.core.reference import ACADEMIES
from accelerator.reporting.definitions import INDICATORS

REQUIRED = _l("This field is required.")


def _academies(placeholder=None):
    return select_choices(sorted(ACADEMIES.items(), key=lambda item: item[1]), placeholder)


class TargetForm(FlaskForm):
    code = SelectField(_l("Indicator"), validators=[DataRequired(REQUIRED)])
    value = DecimalField(
        _l("Target"),
        description=_l("Leave empty to withdraw the target."),
        validators=[Optional(), NumberRange(min=0)],
        places=None,
    )
    horizon_start = DateField(_l("From"), validators=[InputRequired(REQUIRED)])
    horizon_end = DateField(_l("To"), validators=[InputRequired(REQUIRED)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.code.choices = select_choices(
            ((item.code, str(item.label)) for item in INDICATORS), placeholder=""
        )


class PopulationForm(FlaskForm):
    year = IntegerField(
        _l("School year (first year)"),
        description=_l("2026 for the school year 2026-2027."),
        validators=[InputRequired(REQUIRED), NumberRange(min=2000, max=2100)],
    )
    academy = SelectField(_l("Académie"), validators=[DataRequired(REQUIRED)])
    teachers = IntegerField(
        _l("Teachers"), validators=[InputRequired(REQUIRED), NumberRange(min=0)]
    )
    new_teachers = IntegerField(
        _l("Stagiaires and néotitulaires"),
        validators=[InputRequired(REQUIRED), NumberRange(min=0)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.academy.choices = _academies("")


class FollowUpDelayForm(FlaskForm):
    weeks = IntegerField(
        _l("Weeks between the session and the follow-up questionnaire"),
        description=_l(
            'The questionnaire "have you used it in class since the training?" of the '
            "reinvestment indicator leaves this many weeks after the session's end."
        ),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=1, max=52, message=_l("Between 1 and 52 weeks.")),
        ],
    )


class PartnershipForm(FlaskForm):
    academy = SelectField(_l("Académie"), validators=[DataRequired(REQUIRED)])
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=200)])
    starts_on = DateField(_l("In force from"), validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("Until"), validators=[Optional()])
    document = FileField(
        _l("Signed document (PDF, ODT or DOCX)"),
        validators=[FileWithin(MAX_EVIDENCE_BYTES)],
        render_kw=size_limited(MAX_EVIDENCE_BYTES),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.academy.choices = _academies("")


class PafActionForm(FlaskForm):
    academy = SelectField(_l("Académie"), validators=[DataRequired(REQUIRED)])
    year = IntegerField(
        _l("School year (first year)"),
        validators=[InputRequired(REQUIRED), NumberRange(min=2000, max=2100)],
    )
    code = StringField(_l("PAF code"), validators=[DataRequired(REQUIRED), Length(max=40)])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    sessions = TextAreaField(
        _l("Sessions delivering it"),
        description=_l("Session references, one a line (e.g. CANOPE-2026-0042)."),
        validators=[Optional(), Length(max=20_000)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.academy.choices = _academies("")
