"""Helpers shared by the forms of every domain."""

from __future__ import annotations

from flask import flash
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

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
