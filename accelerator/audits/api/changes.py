"""Changes after approval: edited public texts accepted or refused by a manager, and the
substantial changes a company declares and a manager decides (operations/changes.py)."""

from __future__ import annotations

from flask_babel import gettext
from flask_login import current_user
from marshmallow import fields

from accelerator.accounts.models import Role
from accelerator.audits import operations
from accelerator.audits.api.common import READERS, visible_solution
from accelerator.audits.models import SubstantialChange
from accelerator.audits.schemas import (
    ChangeCommentIn,
    ChangeDecisionIn,
    ChangeIn,
    ChangeOut,
    SolutionOut,
    solution_out,
)
from accelerator.core.api import api, json_body, load
from accelerator.core.errors import NotFound
from accelerator.core.openapi import documented
from accelerator.core.permissions import roles_required
from accelerator.core.schemas import StrictSchema
from accelerator.extensions import db


class ChangeListOut(StrictSchema):
    items = fields.List(fields.Nested(ChangeOut))


@api.post("/solutions/<int:solution_id>/texts/accept")
@roles_required(Role.manager)
@documented(response=SolutionOut, errors=(409,))
def accept_solution_texts(solution_id: int):
    """Accept edited public texts."""
    solution = operations.accept_public_texts(current_user, visible_solution(solution_id))
    return solution_out.dump(solution)


@api.post("/solutions/<int:solution_id>/texts/refuse")
@roles_required(Role.manager)
@documented(body=ChangeCommentIn, response=SolutionOut, errors=(409,))
def refuse_solution_texts(solution_id: int):
    """Refuse edited public texts."""
    data = load(ChangeCommentIn(), json_body())
    solution = operations.refuse_public_texts(
        current_user, visible_solution(solution_id), data["comment"]
    )
    return solution_out.dump(solution)


@api.get("/solutions/<int:solution_id>/changes")
@roles_required(*READERS)
@documented(response=ChangeListOut)
def list_changes(solution_id: int):
    """Substantial changes of a solution."""
    solution = visible_solution(solution_id)
    rows = db.session.scalars(
        db.select(SubstantialChange)
        .where(SubstantialChange.solution_id == solution.id)
        .order_by(SubstantialChange.id.desc())
    ).all()
    return {"items": ChangeOut(many=True).dump(rows)}


@api.post("/solutions/<int:solution_id>/changes")
@roles_required(Role.company)
@documented(body=ChangeIn, response=ChangeOut, status=201, errors=(409,))
def declare_change(solution_id: int):
    """Declare a substantial change."""
    solution = visible_solution(solution_id)  # another company's solution: 404 first
    data = load(ChangeIn(), json_body())
    change = operations.declare_change(
        current_user, solution, data["description"], data["declarations"]
    )
    return ChangeOut().dump(change), 201


@api.post("/changes/<int:change_id>/decision")
@roles_required(Role.manager)
@documented(body=ChangeDecisionIn, response=ChangeOut, errors=(409,))
def decide_change(change_id: int):
    """Decide a substantial change."""
    change = db.session.get(SubstantialChange, change_id)
    if change is None:
        raise NotFound(gettext("Nothing here, or not visible to you."))
    data = load(ChangeDecisionIn(), json_body())
    change = operations.decide_change(
        current_user, change, data["outcome"], data["comment"], data["domains"]
    )
    return ChangeOut().dump(change)
