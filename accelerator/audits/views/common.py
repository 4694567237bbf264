"""What the audit pages share: lookups through the visibility queries, running operations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import abort, jsonify, request
from flask_babel import format_time, gettext
from flask_login import current_user

from accelerator.audits.models import Audit, Solution
from accelerator.core.forms import Outcome, attempt
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


def split_for_review(audit: Audit, criteria: list) -> tuple[list, list]:
    """A page's criteria split into those to answer or score now and, in a partial
    re-audit, those that keep the approval's level: ``(to_review, [(criterion, level)])``."""
    if not audit.is_partial_reaudit:
        return criteria, []
    to_review = set(audit.codes_to_review())
    return (
        [c for c in criteria if c.code in to_review],
        [(c, audit.carried_level(c.code)) for c in criteria if c.code not in to_review],
    )


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
