"""API of the site checks, on the shared blueprint (``/api/v1``).

Whoever reads the solution (its company, assigned experts, managers, admins) reads its
addresses and runs and starts a run; only its company changes the addresses. Another
company's solution answers 404.
"""

from __future__ import annotations

from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accelerator.accounts.models import Role
from accelerator.checks import operations
from accelerator.checks.models import SiteCheck
from accelerator.checks.schemas import AddressesIn, AddressesOut, SiteCheckOut, addresses_out
from accelerator.core.api import api, json_body, load, paginate
from accelerator.core.jobs import job_summary
from accelerator.core.openapi import documented
from accelerator.core.permissions import roles_required
from accelerator.core.schemas import JobAcceptedOut
from accelerator.extensions import db

READERS = (Role.company, Role.expert, Role.manager, Role.admin)


def _addresses(solution) -> dict:
    return addresses_out(
        solution.id, operations.addresses_of(solution), operations.latest_check(solution.id)
    )


@api.get("/solutions/<int:solution_id>/site")
@roles_required(*READERS)
@documented(response=AddressesOut)
def get_site_addresses(solution_id: int):
    """The solution's public addresses and the date of its latest automated check."""
    return _addresses(operations.visible_solution(current_user, solution_id))


@api.put("/solutions/<int:solution_id>/site")
@roles_required(Role.company)
@documented(body=AddressesIn, response=AddressesOut)
def put_site_addresses(solution_id: int):
    """Give the solution's public addresses (landing, login, privacy policy, legal notice,
    accessibility statement), each an http(s) URL of 500 characters at most."""
    solution = operations.visible_solution(current_user, solution_id)
    values = load(AddressesIn(), json_body())
    operations.save_addresses(current_user, solution, values)
    return _addresses(solution)


@api.post("/solutions/<int:solution_id>/site-checks")
@roles_required(*READERS)
@documented(response=JobAcceptedOut, status=202, errors=(409,))
def start_site_check(solution_id: int):
    """Check the solution's site now (a job on the queue).

    202 with the job (Location: its URL); its result names the recorded run (check_id).
    409 when the solution has no address yet."""
    solution = operations.visible_solution(current_user, solution_id)
    job = operations.request_site_check(current_user, solution, str(get_locale() or "fr"))
    summary = job_summary(job)
    return {"job": summary}, 202, {"Location": summary["url"]}


def _with_findings(statement):
    return statement.options(selectinload(SiteCheck.findings))


@api.get("/solutions/<int:solution_id>/site-checks")
@roles_required(*READERS)
@documented(response=SiteCheckOut, paginated=True)
def list_site_checks(solution_id: int):
    """The solution's automated checks, newest first, each with its findings."""
    solution = operations.visible_solution(current_user, solution_id)
    return paginate(
        _with_findings(operations.checks_of(solution.id)),
        lambda rows: SiteCheckOut(many=True).dump([row.as_dict() for row in rows]),
    )


@api.get("/solutions/<int:solution_id>/site-checks/<int:check_id>")
@roles_required(*READERS)
@documented(response=SiteCheckOut)
def get_site_check(solution_id: int, check_id: int):
    """One automated check of the solution, with its findings."""
    solution = operations.visible_solution(current_user, solution_id)
    check = db.session.scalar(
        _with_findings(
            select(SiteCheck).where(SiteCheck.id == check_id, SiteCheck.solution_id == solution.id)
        )
    )
    if check is None:
        raise operations.not_found()
    return SiteCheckOut().dump(check.as_dict())
