"""The JSON API blueprint (``/api/v1``): token authentication, bodies, pagination.

Every domain registers its routes on ``api`` in its own ``api.py``. The API authenticates
with bearer tokens only (never the session cookie), so it needs no CSRF token.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask_babel import gettext
from flask_login import current_user
from marshmallow import Schema, ValidationError
from sqlalchemy import Select, func, select

from accelerator.core.errors import Invalid
from accelerator.core.jobs import visible_job
from accelerator.core.openapi import documented
from accelerator.core.pagination import MAX_PAGE
from accelerator.core.permissions import login_required
from accelerator.core.problems import translate_errors
from accelerator.core.schemas import JobOut
from accelerator.extensions import csrf, db

api = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(api)

MAX_PER_PAGE = 100


class BadRequestBody(Exception):
    """The body is not the JSON the endpoint expects (answers 400)."""


def json_body(expect: type = dict) -> Any:
    """The request's JSON body, which must parse and be of type ``expect``."""
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, expect):
        raise BadRequestBody(
            gettext("The body must be a JSON object.")
            if expect is dict
            else gettext("The body must be a JSON array.")
        )
    return data


def load(schema: Schema, data: Any, **kwargs) -> Any:
    """Validate ``data`` with ``schema``; wrong values raise ``Invalid`` (422)."""
    try:
        return schema.load(data, **kwargs)
    except ValidationError as error:
        raise Invalid(
            gettext("Some fields are invalid."), translate_errors(error.messages)
        ) from None


def _positive_int(name: str, default: int, maximum: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(
            gettext("Invalid query parameter."), {name: [gettext("Must be a whole number.")]}
        ) from None
    if value < 1:
        raise Invalid(gettext("Invalid query parameter."), {name: [gettext("Must be 1 or more.")]})
    if maximum is not None and value > maximum:
        raise Invalid(
            gettext("Invalid query parameter."),
            {name: [gettext("Must be %(max)s at most.", max=maximum)]},
        )
    return value


def page_args(default_per_page: int = 20) -> tuple[int, int]:
    """``page`` and ``per_page`` from the query string, checked (422 when wrong)."""
    return (
        _positive_int("page", 1, MAX_PAGE),
        _positive_int("per_page", default_per_page, MAX_PER_PAGE),
    )


def paginate(statement: Select, dump, default_per_page: int = 20) -> dict:
    """Run ``statement`` for one page; ``dump`` turns the rows into JSON items."""
    page, per_page = page_args(default_per_page)
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": dump(rows), "page": page, "per_page": per_page, "total": total}


@api.get("/jobs/<int:job_id>")
@documented(response=JobOut, errors=(404,), tags=["jobs"])
@login_required
def get_job(job_id: int):
    """A background job.

    Its state and progress, then its result (its owner, managers; others' jobs answer 404)
    """
    return JobOut().dump(visible_job(current_user, job_id).as_dict())
