"""Solutions: describe, list, read, change, logo."""

from __future__ import annotations

from flask import request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from accelerator.accounts.models import Role
from accelerator.audits import operations
from accelerator.audits.api.common import READERS, visible_solution
from accelerator.audits.models import Solution
from accelerator.audits.schemas import SolutionIn, solution_out
from accelerator.core.api import api, json_body, load, paginate
from accelerator.core.errors import Invalid
from accelerator.core.permissions import roles_required


@api.post("/solutions")
@roles_required(Role.company)
def create_solution():
    """Describe a new solution.
    ---
    post:
      summary: Create a solution of the caller's company
      tags: [audits]
      responses:
        201: {description: The solution, with its slug}
        422: {description: Invalid fields}
    """
    values = load(SolutionIn(), json_body())
    return solution_out.dump(operations.create_solution(current_user, values)), 201


@api.get("/solutions")
@roles_required(*READERS)
def list_solutions():
    """Solutions the caller may see.
    ---
    get:
      summary: The caller's visible solutions (company its own, experts assigned, managers all)
      tags: [audits]
      parameters:
        - {name: page, in: query, schema: {type: integer, minimum: 1}}
        - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
      responses:
        200: {description: A page of solutions}
    """
    statement = (
        Solution.visible_to(current_user)
        .options(selectinload(Solution.organization))
        .order_by(Solution.id)
    )
    return paginate(statement, lambda rows: solution_out.dump(rows, many=True))


@api.get("/solutions/<int:solution_id>")
@roles_required(*READERS)
def get_solution(solution_id: int):
    """One solution.
    ---
    get:
      summary: A solution (its company, managers, assigned experts)
      tags: [audits]
      responses:
        200: {description: The solution}
        404: {description: Unknown or not visible}
    """
    return solution_out.dump(visible_solution(solution_id))


@api.patch("/solutions/<int:solution_id>")
@roles_required(Role.company)
def update_solution(solution_id: int):
    """Change a solution.
    ---
    patch:
      summary: Change what the company says of its solution (the slug stays)
      tags: [audits]
      responses:
        200: {description: The solution}
        404: {description: Unknown or not the caller's}
        422: {description: Invalid fields}
    """
    solution = visible_solution(solution_id)
    values = load(SolutionIn(), json_body(), partial=True)
    return solution_out.dump(operations.update_solution(current_user, solution, values))


@api.put("/solutions/<int:solution_id>/logo")
@roles_required(Role.company)
def upload_logo(solution_id: int):
    """Set a solution's logo.
    ---
    put:
      summary: "Upload the logo (multipart field 'file'): PNG or JPEG, 1 MB at most"
      tags: [audits]
      requestBody:
        content:
          multipart/form-data:
            schema: {type: object, properties: {file: {type: string, format: binary}}}
      responses:
        200: {description: The solution, with its logo_url}
        413: {description: Larger than 1 MB}
        415: {description: Not a PNG or JPEG image (checked by content)}
    """
    solution = visible_solution(solution_id)
    upload = request.files.get("file")
    if upload is None:
        message = gettext("Send the file in the multipart field 'file'.")
        raise Invalid(message, {"file": [message]})
    operations.set_solution_logo(current_user, solution, upload.stream)
    return solution_out.dump(solution)
