"""Solutions: describe, list, read, change, logo."""

from __future__ import annotations

from flask import request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from accelerator.accounts.models import Role
from accelerator.audits import operations
from accelerator.audits.api.common import FILE_BODY, READERS, visible_solution
from accelerator.audits.models import Solution
from accelerator.audits.schemas import SolutionIn, SolutionOut, solution_out
from accelerator.core.api import api, json_body, load, paginate
from accelerator.core.errors import Invalid
from accelerator.core.openapi import documented
from accelerator.core.permissions import roles_required


@api.post("/solutions")
@roles_required(Role.company)
@documented(body=SolutionIn, response=SolutionOut, status=201)
def create_solution():
    """Describe a new solution of the caller's company (its slug is given once, never changed)."""
    values = load(SolutionIn(), json_body())
    return solution_out.dump(operations.create_solution(current_user, values)), 201


@api.get("/solutions")
@roles_required(*READERS)
@documented(response=SolutionOut, paginated=True)
def list_solutions():
    """The caller's visible solutions (company its own, experts assigned, managers all)."""
    statement = (
        Solution.visible_to(current_user)
        .options(selectinload(Solution.organization))
        .order_by(Solution.id)
    )
    return paginate(statement, lambda rows: solution_out.dump(rows, many=True))


@api.get("/solutions/<int:solution_id>")
@roles_required(*READERS)
@documented(response=SolutionOut)
def get_solution(solution_id: int):
    """A solution (its company, managers, assigned experts)."""
    return solution_out.dump(visible_solution(solution_id))


@api.patch("/solutions/<int:solution_id>")
@roles_required(Role.company)
@documented(body=SolutionIn, response=SolutionOut)
def update_solution(solution_id: int):
    """Change what the company says of its solution (the slug stays); fields are optional."""
    solution = visible_solution(solution_id)
    values = load(SolutionIn(), json_body(), partial=True)
    return solution_out.dump(operations.update_solution(current_user, solution, values))


@api.put("/solutions/<int:solution_id>/logo")
@roles_required(Role.company)
@documented(body=FILE_BODY, response=SolutionOut, errors=(413, 415))
def upload_logo(solution_id: int):
    """Set the solution's logo (multipart field ``file``): PNG or JPEG, 1 MB at most."""
    solution = visible_solution(solution_id)
    upload = request.files.get("file")
    if upload is None:
        message = gettext("Send the file in the multipart field 'file'.")
        raise Invalid(message, {"file": [message]})
    operations.set_solution_logo(current_user, solution, upload.stream)
    return solution_out.dump(solution)
