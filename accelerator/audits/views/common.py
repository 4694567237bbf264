"""What the audit pages share: lookups through the visibility queries, running operations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import abort, flash
from flask_babel import gettext
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


@contextmanager
def attempt(form=None) -> Iterator[Outcome]:
    """Run the operations of the block and commit once; a refusal rolls everything back and
    is shown on ``form`` (its fields) or flashed. ``outcome.ok`` says whether it committed."""
    outcome = Outcome()
    try:
        yield outcome
        db.session.commit()
        outcome.ok = True
    except DomainError as error:
        db.session.rollback()
        if form is not None:
            apply_errors(form, error)
        else:
            flash(error.message, "error")
    except UploadRefused as refused:
        db.session.rollback()
        if form is not None and hasattr(form, "file"):
            form.file.errors = list(form.file.errors) + [str(refused.message)]
        else:
            flash(str(refused.message), "error")
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        flash(
            gettext("This audit was changed by someone else meanwhile; reload it and try again."),
            "error",
        )


def run(operation: Callable, *args, form=None, **kwargs):
    """One operation in ``attempt``: its result (True when it returns None), or None when
    it was refused."""
    result = None
    with attempt(form) as outcome:
        result = operation(*args, **kwargs)
    if not outcome.ok:
        return None
    return result if result is not None else True
