"""Helpers shared by the forms of every domain."""

from __future__ import annotations

import os

from flask import flash
from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from accelerator.core.errors import DomainError

# Pages run their operations in ``attempt``, part of the request's unit of work.
from accelerator.core.unit_of_work import Outcome, attempt  # noqa: F401

#: the message of a required field left empty, on every form and in API errors
REQUIRED = _l("This field is required.")


def apply_errors(form, error: DomainError, aliases: dict | None = None) -> None:
    """Show a domain error on the form: on its fields when it names them, else as a flash.

    ``aliases`` maps nested API error keys to form fields, e.g. organization.siren → siren.
    """
    placed = False
    errors = dict(error.errors)
    for key, alias in (aliases or {}).items():
        nested = errors.pop(key, None)
        if isinstance(nested, dict):
            for nested_key, field_name in alias.items():
                if nested_key in nested:
                    errors[field_name] = nested[nested_key]
    for name, messages in errors.items():
        field = getattr(form, name, None)
        if field is not None and isinstance(messages, list):
            field.errors = list(field.errors) + [str(m) for m in messages]
            placed = True
    if not placed:
        flash(error.message, "error")


def select_choices(pairs, placeholder: str | None = None) -> list[SelectChoice]:
    """WTForms choices from (code, label) pairs, with an optional empty first option."""
    choices = [SelectChoice("", placeholder)] if placeholder is not None else []
    return choices + [SelectChoice(code, label) for code, label in pairs]


#: the message of a yes-or-no question left unanswered (or answered otherwise)
ANSWER_YES_OR_NO = _l("Answer yes or no.")


def _yes_no(value) -> bool | None:
    if isinstance(value, bool) or value is None:
        return value
    return {"yes": True, "no": False}.get(value)


class YesNoField(RadioField):
    """A required yes-or-no question as two radios (``yes``, ``no``); its data is a bool.
    Anything else (missing, another value) says ``message`` in the reader's words."""

    def __init__(self, label=None, validators=None, message=ANSWER_YES_OR_NO, **kwargs):
        self.message = message
        kwargs.setdefault("choices", [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))])
        super().__init__(label, validators, coerce=_yes_no, **kwargs)

    def pre_validate(self, form):
        if self.data is None:
            raise ValidationError(str(self.message))


def too_large_message(max_bytes: int):
    """What a file field over its limit says, in the browser and on the server alike."""
    return _l(
        "This file is larger than %(size)s MB: choose a smaller one.",
        size=f"{max_bytes / 1024 / 1024:g}",
    )


def size_limited(max_bytes: int) -> dict:
    """``render_kw`` of a file field whose size the browser checks before sending
    (static/js/file-limit.js): a file over the limit is refused on the form, everything
    typed kept, instead of travelling to the server only to be turned away (413)."""
    return {"data-max-bytes": str(max_bytes), "data-too-large": too_large_message(max_bytes)}


class FileWithin:
    """A file field's size limit, checked on the server: without JavaScript a file over it
    arrives with the form (``FormRequest`` reads such bodies), and the form comes back with
    everything typed and this error on the field."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes

    def __call__(self, form, field) -> None:
        stream = getattr(field.data, "stream", None)
        if stream is None:  # no file chosen: the field's other validators decide
            return
        position = stream.tell()
        size = stream.seek(0, os.SEEK_END)
        stream.seek(position)
        if size > self.max_bytes:
            raise ValidationError(str(too_large_message(self.max_bytes)))
