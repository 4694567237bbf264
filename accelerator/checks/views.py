"""Pages of the site checks: a solution's addresses, its runs, and a run on demand.

``/mes-solutions/<id>/verifications`` is read by whoever reads the solution (its company,
assigned experts, managers and admins; others get 404); only the company edits the
addresses, and any reader starts a run. The audit pages show the latest run's findings
beside the criteria they inform through the ``site_evidence`` template helper.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user

from accelerator.accounts.models import Role
from accelerator.audits.models import Solution
from accelerator.checks import operations
from accelerator.checks.findings import CheckKind, Outcome
from accelerator.checks.forms import AddressesForm, StartCheckForm
from accelerator.checks.models import SiteCheck
from accelerator.core.errors import NotFound
from accelerator.core.forms import attempt
from accelerator.core.jobs import job_url
from accelerator.core.pagination import paginate_page
from accelerator.core.permissions import roles_required
from accelerator.extensions import db

bp = Blueprint("checks", __name__)

READERS = (Role.company, Role.expert, Role.manager, Role.admin)


def _solution_or_404(solution_id: int):
    try:
        return operations.visible_solution(current_user, solution_id)
    except NotFound:
        abort(404)


def _page(solution, form: AddressesForm, status: int = 200):
    page = paginate_page(operations.checks_of(solution.id), 10)
    return render_template(
        "checks/site_checks.html",
        solution=solution,
        form=form,
        start_form=StartCheckForm(),
        can_edit=current_user.role == Role.company,
        page=page,
        kinds=CheckKind,
        outcomes=Outcome,
    ), status


@bp.route("/mes-solutions/<int:solution_id>/verifications")
@roles_required(*READERS)
def site_checks(solution_id: int):
    solution = _solution_or_404(solution_id)
    return _page(solution, AddressesForm(obj=operations.addresses_of(solution)))


@bp.route("/mes-solutions/<int:solution_id>/verifications/adresses", methods=["POST"])
@roles_required(Role.company)
def save_addresses(solution_id: int):
    solution = _solution_or_404(solution_id)
    form = AddressesForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            operations.save_addresses(current_user, solution, form.values())
        if outcome.ok:
            return redirect(url_for("checks.site_checks", solution_id=solution.id))
    return _page(solution, form, 422)


@bp.route("/mes-solutions/<int:solution_id>/verifications/lancer", methods=["POST"])
@roles_required(*READERS)
def start_check(solution_id: int):
    solution = _solution_or_404(solution_id)
    if not StartCheckForm().validate_on_submit():
        return redirect(url_for("checks.site_checks", solution_id=solution.id))
    job = None
    with attempt(None) as outcome:
        job = operations.request_site_check(current_user, solution, str(get_locale() or "fr"))
    if outcome.ok and job is not None:
        return redirect(job_url(job))
    return redirect(url_for("checks.site_checks", solution_id=solution.id))


@bp.app_template_global()
def site_evidence(audit) -> SiteCheck | None:
    """The latest run of the audit's solution, for the audit pages (None when none ran)."""
    if audit is None or not audit.can_read(current_user):
        return None
    return operations.latest_check(audit.solution_id)


@bp.app_template_global()
def site_evidence_of(solution) -> SiteCheck | None:
    """The latest run of a solution its reader sees (the solution's page)."""
    visible = db.session.scalar(Solution.visible_to(current_user).where(Solution.id == solution.id))
    return operations.latest_check(solution.id) if visible is not None else None


@bp.app_context_processor
def outcomes() -> dict:
    return {"site_check_outcomes": list(Outcome)}
