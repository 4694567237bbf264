"""Training forms (pages): sessions, the filters of the list, attendance and imports."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    EmailField,
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
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from accelerator.accounts.rules import ACADEMY_UNKNOWN
from accelerator.core.forms import REQUIRED, FileWithin, YesNoField, select_choices, size_limited
from accelerator.core.reference import ACADEMIES
from accelerator.core.validators import YEAR_OUT_OF_RANGE, is_sane_date
from accelerator.training.models import SessionFormat
from accelerator.training.operations import PARIS, SessionPeriod, catalogue_solutions
from accelerator.training.schemas import MAX_CAPACITY

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def _solution_choices(placeholder=None):
    return select_choices(
        ((str(solution.id), solution.name) for solution in catalogue_solutions()), placeholder
    )


def sane_date_field(form, field) -> None:
    """WTForms validator: a date within the years the service handles."""
    if field.data and not is_sane_date(field.data):
        raise ValidationError(YEAR_OUT_OF_RANGE)


class SessionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=200)])
    solution_ids = SelectMultipleField(
        _l("Solutions of the catalogue"),
        coerce=int,
        validators=[DataRequired(_l("Choose at least one solution of the catalogue."))],
        description=_l("Hold Ctrl (or Cmd) to choose several solutions."),
    )
    format = SelectField(
        _l("Format"),
        choices=select_choices(SessionFormat.choices(), _l("Choose a format")),
        validators=[DataRequired(REQUIRED)],
    )
    starts_at = DateTimeLocalField(
        _l("Start"), format=DATETIME_FORMATS, validators=[InputRequired(REQUIRED)]
    )
    ends_at = DateTimeLocalField(
        _l("End"), format=DATETIME_FORMATS, validators=[InputRequired(REQUIRED)]
    )
    duration_hours = DecimalField(
        _l("Duration in hours"),
        places=2,
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=0.25, max=500, message=_l("Between 0.25 and 500 hours.")),
        ],
    )
    capacity = IntegerField(
        _l("Capacity (places)"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=1, max=MAX_CAPACITY, message=_l("At least one place.")),
        ],
    )
    academy = SelectField(
        _l("Académie"),
        choices=select_choices(ACADEMIES.items(), _l("Choose the académie")),
        validators=[DataRequired(ACADEMY_UNKNOWN)],
    )
    location = StringField(
        _l("Place"),
        validators=[Optional(), Length(max=300)],
        description=_l("An Atelier Canopé, a school, or the link of a remote session."),
    )
    in_paf = BooleanField(_l("Part of the académie's training plan (PAF)"))

    def __init__(self, *args, current_solutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(int(c.value), c.label) for c in _solution_choices()]
        # An edited session keeps its solutions even if one left the catalogue since.
        offered = {value for value, _ in choices}
        choices += [(s.id, s.name) for s in current_solutions if s.id not in offered]
        self.solution_ids.choices = choices

    def validate_starts_at(self, field) -> None:
        if field.data and not is_sane_date(field.data):
            raise ValidationError(YEAR_OUT_OF_RANGE)

    def validate_ends_at(self, field) -> None:
        if field.data and not is_sane_date(field.data):
            raise ValidationError(YEAR_OUT_OF_RANGE)
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The session must end after it starts."))

    def values(self) -> dict:
        """The values as the operations take them (dates in French local time)."""

        def paris(moment: datetime) -> datetime:
            return moment.replace(tzinfo=PARIS)

        return {
            "title": self.title.data.strip(),
            "solution_ids": list(self.solution_ids.data),
            "format": SessionFormat(self.format.data),
            "starts_at": paris(self.starts_at.data),
            "ends_at": paris(self.ends_at.data),
            "duration_hours": float(self.duration_hours.data),
            "capacity": self.capacity.data,
            "academy": self.academy.data,
            "location": (self.location.data or "").strip(),
            "in_paf": bool(self.in_paf.data),
        }


class SessionFilterForm(FlaskForm):
    """The GET form above the list of sessions (its values stay in the URL)."""

    class Meta:
        csrf = False

    when = RadioField(
        _l("Sessions shown"),
        choices=SessionPeriod.choices(),
        default=SessionPeriod.upcoming.value,
        validators=[Optional()],
    )
    solution = SelectField(_l("Solution"), validators=[Optional()])
    academy = SelectField(
        _l("Académie"),
        choices=select_choices(ACADEMIES.items(), _l("All académies")),
        validators=[Optional()],
    )
    format = SelectField(
        _l("Format"),
        choices=select_choices(SessionFormat.choices(), _l("All formats")),
        validators=[Optional()],
    )
    date_from = DateField(_l("From"), validators=[Optional(), sane_date_field])
    date_to = DateField(_l("To"), validators=[Optional(), sane_date_field])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.solution.choices = _solution_choices(_l("All solutions"))

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date comes before the start date."))


class ActionForm(FlaskForm):
    """A button that changes something: only its CSRF token."""


class EnrolForm(FlaskForm):
    """A teacher enrols themself, answering the reinvestment indicator's first question."""

    already_uses_in_class = YesNoField(
        _l("Do you already use this solution in class?"),
        description=_l(
            "A few weeks after the session we will ask whether you used it since: "
            "the contract follows how trainings change practice."
        ),
    )


class EnrollTeacherForm(FlaskForm):
    teacher_email = EmailField(
        _l("Academic email address of the teacher"),
        validators=[
            DataRequired(REQUIRED),
            Email(_l("Enter a valid email address, such as nom@exemple.fr.")),
            Length(max=254),
        ],
        filters=[lambda v: v.strip() if v else v],
    )


#: the largest attendance file a page import takes
IMPORT_MAX_BYTES = 20 * 1024 * 1024


class ImportForm(FlaskForm):
    file = FileField(
        _l("Attendance file (CSV)"),
        validators=[FileRequired(_l("Choose a CSV file to import.")), FileWithin(IMPORT_MAX_BYTES)],
        render_kw=size_limited(IMPORT_MAX_BYTES),
        description=_l(
            "Separator ; or , — UTF-8 or Windows-1252 — columns: "
            "email;nom;prenom;academie;uai;situation;session;present;termine."
        ),
    )


#: rows of modules offered on the path's page (the operation takes up to MAX_MODULES)
PATH_FORM_ROWS = 6


class PathModuleForm(Form):
    """One row of the path's modules: a solution of the catalogue and an optional title."""

    solution_id = SelectField(_l("Solution"), validators=[Optional()])
    title = StringField(
        _l("Title of the module"),
        validators=[Optional(), Length(max=200)],
        description=_l("The solution's name when left empty."),
    )


class PathForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Who it is for, what the teacher will be able to do."),
    )
    modules = FieldList(FormField(PathModuleForm), min_entries=PATH_FORM_ROWS)

    def __init__(self, *args, current_solutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(c.value, c.label) for c in _solution_choices()]
        offered = {value for value, _ in choices}
        choices += [(str(s.id), s.name) for s in current_solutions if str(s.id) not in offered]
        for row in self.modules:
            row.solution_id.choices = [("", _l("No module"))] + choices

    def module_values(self) -> list[dict]:
        """The rows that name a solution, in order."""
        return [
            {"solution_id": int(row.solution_id.data), "title": (row.title.data or "").strip()}
            for row in self.modules
            if row.solution_id.data
        ]

    def values(self) -> dict:
        return {
            "title": self.title.data.strip(),
            "description": (self.description.data or "").strip(),
            "modules": self.module_values(),
        }

    def place_module_errors(self, error) -> None:
        """Put an operation's errors on the module rows (their index among the rows kept)."""
        named = [row for row in self.modules if row.solution_id.data]
        errors = error.errors.get("modules")
        if not isinstance(errors, dict):
            return
        for index, messages in errors.items():
            if isinstance(messages, dict) and index.isdigit() and int(index) < len(named):
                row = named[int(index)]
                for name, texts in messages.items():
                    getattr(row, name).errors = list(getattr(row, name).errors) + texts
