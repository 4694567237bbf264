"""What the audit pages share: lookups through the visibility queries, running operations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import abort, flash, jsonify, request
from flask_babel import format_time, gettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from accelerator.audits.models import Audit, Solution
from accelerator.audits.storage import UploadRefused
from accelerator.core.errors import DomainError
from accelerator.core.forms import apply_errors
from accelerator.extensions import db


def audit_or_404(audit_id: int) -> Audit:
    audit = db.session.scalar(Audit.visible_to(current_user).where(Audit.id == audit_id))
    if audit is None:
        abort(404)
    return audit


def solution_or_404(solution_id: int) -> Solution:
    solution = db.session.scalar(
        Solution.visible_to(current_user).where(Solution.id == solution_id)
    )
    if solution is None:
        abort(404)
    return solution


@dataclass
class Outcome:
    ok: bool = False
    #: the reason of a refusal
    message: str = ""


@contextmanager
def attempt(form=None, quiet: bool = False) -> Iterator[Outcome]:
    """Run the operations of the block and commit once; a refusal rolls everything back and
    is shown on ``form`` (its fields) or flashed (unless ``quiet``: the caller answers it).
    ``outcome.ok`` says whether it committed, ``outcome.message`` why not."""
    outcome = Outcome()
    try:
        yield outcome
        db.session.commit()
        outcome.ok = True
    except DomainError as error:
        db.session.rollback()
        outcome.message = error.message
        if form is not None:
            apply_errors(form, error)
        elif not quiet:
            flash(error.message, "error")
    except UploadRefused as refused:
        db.session.rollback()
        outcome.message = str(refused.message)
        if form is not None and hasattr(form, "file"):
            form.file.errors = list(form.file.errors) + [outcome.message]
        elif not quiet:
            flash(outcome.message, "error")
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        outcome.message = gettext(
            "This audit was changed by someone else meanwhile; reload it and try again."
        )
        if not quiet:
            flash(outcome.message, "error")


def is_autosave() -> bool:
    """A background save sent by static/js/autosave.js (the page works without it)."""
    return request.headers.get("X-Requested-With") == "fetch"


def autosave_answer(outcome: Outcome | None, form, saved: int):
    """The JSON answer of a background save: what was saved, or why not."""
    if outcome is None or not outcome.ok:
        errors = [str(m) for field in form for m in _all_errors(field)]
        detail = outcome.message if outcome is not None and outcome.message else " ".join(errors)
        return jsonify(detail=detail or gettext("Not saved.")), 409 if outcome else 422
    return jsonify(
        saved=saved,
        message=gettext("Saved at %(time)s.", time=format_time(datetime.now(UTC), "HH:mm")),
    )


def _all_errors(field):
    if hasattr(field, "form") and hasattr(field.form, "_fields"):
        for sub in field.form:
            yield from _all_errors(sub)
    else:
        yield from field.errors


def run(operation: Callable, *args, form=None, **kwargs):
    """One operation in ``attempt``: its result (True when it returns None), or None when
    it was refused."""
    result = None
    with attempt(form) as outcome:
        result = operation(*args, **kwargs)
    if not outcome.ok:
        return None
    return result if result is not None else True
