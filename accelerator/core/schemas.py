"""Shared marshmallow pieces.

marshmallow's own messages are English; they are message ids of our catalogue, marked here
so that ``pybabel extract`` collects them, and translated when a problem is answered.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate

from accelerator.core.reference import country_codes

MARSHMALLOW_MESSAGES = (
    _l("Missing data for required field."),
    _l("Field may not be null."),
    _l("Unknown field."),
    _l("Invalid input type."),
    _l("Not a valid string."),
    _l("Not a valid integer."),
    _l("Not a valid number."),
    _l("Not a valid boolean."),
    _l("Not a valid email address."),
    _l("Not a valid list."),
    _l("Not a valid URL."),
    _l("Not a valid date."),
    _l("Not a valid datetime."),
    _l("Invalid value."),
    _l("Must be one of: {choices}."),
)


def iso(value: date | datetime | None, *, seconds_utc: bool = False) -> str | None:
    """ISO 8601 text of a date or a datetime (None stays None). ``seconds_utc``: to the
    second, UTC written "Z", as W3C credentials write their dates."""
    if value is None:
        return None
    if seconds_utc and isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return value.isoformat()


class StrictSchema(Schema):
    """Unknown fields are refused (marshmallow's default), strings are stripped."""

    class Meta:
        ordered = True


class Trimmed(fields.String):
    """A string with surrounding white space removed; empty after trimming means missing."""

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        return result.strip()


def max_length(limit: int) -> validate.Length:
    """At most ``limit`` characters, with a message in the reader's language."""
    return validate.Length(max=limit, error=_l("At most {max} characters."))


def one_of(codes, message=None) -> validate.OneOf:
    return validate.OneOf(list(codes), error=message or _l("Unknown code."))


def validate_country(value: str) -> None:
    if value not in country_codes():
        raise ValidationError(
            str(_l("Unknown country: use an ISO 3166-1 alpha-2 code such as FR."))
        )


def not_blank(value: str) -> None:
    if not value:
        raise ValidationError(str(_l("This field cannot be empty.")))


#: the largest identifier the databases store: id columns are ``Integer``, a signed 32-bit
#: integer on PostgreSQL (a larger value overflows the driver instead of matching nothing)
MAX_ID = 2**31 - 1


class Id(fields.Integer):
    """A row identifier: a whole number from 1 to MAX_ID (a larger one could never exist)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("strict", True)
        kwargs.setdefault(
            "validate", validate.Range(1, MAX_ID, error=_l("Not a valid identifier."))
        )
        super().__init__(**kwargs)


class JobProgressOut(Schema):
    done = fields.Integer()
    #: None while the total is not known yet
    total = fields.Integer(allow_none=True)


class JobOut(Schema):
    """A background job (API.md, "Background jobs"): its state, its progress, then its
    result (its shape depends on the kind) or the reason it failed."""

    id = fields.Integer()
    kind = fields.String()
    state = fields.String(metadata={"enum": ["queued", "running", "done", "failed"]})
    progress = fields.Nested(JobProgressOut)
    result = fields.Raw(allow_none=True)
    error = fields.String(allow_none=True)
    created_at = fields.String()
    finished_at = fields.String(allow_none=True)


class JobSummaryOut(Schema):
    id = fields.Integer()
    #: the job's URL in the API (also the answer's Location)
    url = fields.String()
    state = fields.String()


class JobAcceptedOut(Schema):
    """The answer of a request whose work goes to the queue (202 Accepted)."""

    job = fields.Nested(JobSummaryOut)
