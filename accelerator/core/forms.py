"""Helpers shared by the forms of every domain."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import flash
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from accelerator.core.errors import DomainError
from accelerator.extensions import db


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


@dataclass
class Outcome:
    ok: bool = False
    #: the reason of a refusal
    message: str = ""


@contextmanager
def attempt(form=None, quiet: bool = False, aliases: dict | None = None) -> Iterator[Outcome]:
    """Run a page's operations and commit once (one commit per request).

    A refusal (a domain error, or a concurrent change caught by a constraint or a version
    column) rolls everything back and is shown on ``form``'s fields when it names them, else
    flashed, unless ``quiet`` (the caller answers it). ``outcome.ok`` says whether it
    committed, ``outcome.message`` why not. ``aliases`` as for ``apply_errors``.
    """
    outcome = Outcome()
    try:
        yield outcome
        db.session.commit()
        outcome.ok = True
    except DomainError as error:
        db.session.rollback()
        outcome.message = error.message
        if form is not None:
            apply_errors(form, error, aliases)
        elif not quiet:
            flash(error.message, "error")
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        outcome.message = gettext(
            "Someone else changed this meanwhile; reload the page and try again."
        )
        if not quiet:
            flash(outcome.message, "error")
