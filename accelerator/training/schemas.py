"""API schemas of training sessions, enrolments and attendance: what comes in, what goes out."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate, validates_schema

from accelerator.accounts.rules import ACADEMY_UNKNOWN
from accelerator.core.reference import ACADEMIES
from accelerator.core.schemas import Id, StrictSchema, Trimmed, not_blank, one_of
from accelerator.core.urls import public_url
from accelerator.core.validators import YEAR_OUT_OF_RANGE, is_sane_date
from accelerator.training.models import EnrollmentStatus, PathStatus, SessionFormat, SessionStatus
from accelerator.training.operations import PARIS, SessionFilters, SessionPeriod, waitlist_rank

MAX_CAPACITY = 10_000
ENDS_BEFORE_START = _l("The session must end after it starts.")


def sane_date(value) -> None:
    """marshmallow validator: a date within the years the service handles."""
    if not is_sane_date(value):
        raise ValidationError(str(YEAR_OUT_OF_RANGE))


class ParisDateTime(fields.DateTime):
    """An ISO 8601 date and time; without an offset it is a French local time."""

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        result = super()._deserialize(value, attr, data, **kwargs)
        local = result.replace(tzinfo=PARIS) if result.tzinfo is None else result
        try:
            # In UTC, as stored: answers dumped before the request's commit read the same.
            return local.astimezone(UTC)
        except OverflowError:  # the first or last day of year 1 or 9999 in some zone
            raise ValidationError(str(YEAR_OUT_OF_RANGE)) from None


class SessionIn(StrictSchema):
    title = Trimmed(required=True, validate=[not_blank, validate.Length(max=200)])
    solution_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=20))
    format = fields.Enum(SessionFormat, by_value=True, required=True)
    starts_at = ParisDateTime(required=True, validate=sane_date)
    ends_at = ParisDateTime(required=True, validate=sane_date)
    duration_hours = fields.Float(
        required=True, validate=validate.Range(min=0.25, max=500), allow_nan=False
    )
    capacity = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=MAX_CAPACITY)
    )
    academy = fields.String(required=True, validate=one_of(ACADEMIES, ACADEMY_UNKNOWN))
    location = Trimmed(load_default="", validate=validate.Length(max=300))
    in_paf = fields.Boolean(load_default=False)

    @validates_schema
    def check_dates(self, data: dict, **kwargs) -> None:
        if "starts_at" in data and "ends_at" in data and data["ends_at"] <= data["starts_at"]:
            raise ValidationError(str(ENDS_BEFORE_START), "ends_at")


class SolutionRef(StrictSchema):
    id = fields.Integer()
    name = fields.String()
    slug = fields.String()


class SessionOut(StrictSchema):
    id = fields.Integer()
    reference = fields.String()
    title = fields.String()
    solutions = fields.List(fields.Nested(SolutionRef))
    solution_ids = fields.Method(
        "get_solution_ids", metadata={"type": "array", "items": {"type": "integer"}}
    )
    format = fields.Enum(SessionFormat, by_value=True)
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    duration_hours = fields.Float()
    capacity = fields.Integer()
    registered_count = fields.Integer()
    places_left = fields.Integer()
    academy = fields.String()
    location = fields.String()
    in_paf = fields.Boolean()
    status = fields.Enum(SessionStatus, by_value=True)

    def get_solution_ids(self, session) -> list[int]:
        return [solution.id for solution in session.solutions]


class EnrollmentIn(StrictSchema):
    teacher_email = Trimmed(
        load_default=None,
        validate=[validate.Email(error=_l("Not a valid email address.")), validate.Length(max=254)],
    )
    already_uses_in_class = fields.Boolean(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "The teacher's answer to \"do you already use this solution in "
            'class?" (optional; compared with the follow-up questionnaire for the reinvestment '
            "indicator)."
        },
    )


class EnrollmentOut(StrictSchema):
    id = fields.Integer()
    session_id = fields.Integer()
    teacher_email = fields.String(attribute="teacher.email")
    status = fields.Enum(EnrollmentStatus, by_value=True)
    waitlist_rank = fields.Function(waitlist_rank, metadata={"type": "integer", "nullable": True})
    attended = fields.Boolean()
    completed = fields.Boolean()
    already_uses_in_class = fields.Boolean(allow_none=True)


class AttendanceOut(StrictSchema):
    """The answer to taking attendance: how many enrolments changed, and all of them now."""

    changed = fields.Integer()
    enrollments = fields.List(fields.Nested(EnrollmentOut))


class ImportErrorOut(StrictSchema):
    """A refused line: its number, every reason why (``messages``) and them all in one
    text (``message``)."""

    line = fields.Integer()
    message = fields.String()
    messages = fields.List(fields.String())


class ImportReportOut(StrictSchema):
    """What an attendance import did: lines imported, lines that changed nothing, and the
    refused lines with their reason."""

    imported = fields.Integer()
    unchanged = fields.Integer()
    errors = fields.List(fields.Nested(ImportErrorOut))


class AttendanceItemIn(StrictSchema):
    teacher_email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    attended = fields.Boolean(required=True)
    completed = fields.Boolean(required=True)


class SessionFiltersIn(StrictSchema):
    """The query string of ``GET /training/sessions`` (page and per_page are read apart).

    ``when``: upcoming (sessions not started yet), past (started, latest first) or all;
    without it, upcoming, or all from ``from`` when ``from`` is given (as before ``when``).
    """

    when = fields.Enum(SessionPeriod, by_value=True, load_default=None)
    solution = Id(load_default=None, strict=False)
    academy = fields.String(load_default=None, validate=one_of(ACADEMIES, ACADEMY_UNKNOWN))
    format = fields.Enum(SessionFormat, by_value=True, load_default=None)
    from_ = fields.Date(data_key="from", load_default=None, validate=sane_date)
    to = fields.Date(load_default=None, validate=sane_date)

    @validates_schema
    def check_range(self, data: dict, **kwargs) -> None:
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ValidationError(str(_l("The end date comes before the start date.")), "to")


def filters_from(data: dict) -> SessionFilters:
    when = data.get("when") or (SessionPeriod.all if data.get("from_") else SessionPeriod.upcoming)
    return SessionFilters(
        when=when,
        solution_id=data.get("solution"),
        academy=data.get("academy"),
        format=data.get("format"),
        date_from=data.get("from_"),
        date_to=data.get("to"),
    )


class PathModuleOut(StrictSchema):
    """A module of a training path: satisfied by completing any session on its solution."""

    position = fields.Integer()
    title = fields.String(attribute="label")
    solution = fields.Nested(SolutionRef)


class PathOut(StrictSchema):
    """A training path (parcours) and its modules, in order."""

    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    status = fields.Enum(PathStatus, by_value=True)
    published_at = fields.DateTime(allow_none=True)
    modules = fields.List(fields.Nested(PathModuleOut))
    url = fields.Function(
        lambda p: public_url("training.path_detail", path_id=p.id),
        metadata={"type": "string", "format": "uri"},
    )
