"""Company pages: "Mes solutions", describing a solution, starting an audit."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload

from accelerator.accounts.models import Role
from accelerator.audits import operations
from accelerator.audits.forms import CommentForm, SolutionForm
from accelerator.audits.models import Audit, Solution
from accelerator.audits.views import bp
from accelerator.audits.views.common import run, solution_or_404
from accelerator.core.navigation import NavItem, add_nav_item
from accelerator.core.permissions import roles_required
from accelerator.extensions import db

add_nav_item(
    NavItem(
        20,
        "audits.my_solutions",
        _l("My solutions"),
        roles=(Role.company,),
        prefix="/mes-solutions",
    )
)


@bp.route("/mes-solutions")
@roles_required(Role.company)
def my_solutions():
    solutions = db.session.scalars(
        Solution.visible_to(current_user)
        .options(selectinload(Solution.audits))
        .order_by(Solution.name)
    ).all()
    return render_template("audits/my_solutions.html", solutions=solutions)


@bp.route("/mes-solutions/nouvelle", methods=["GET", "POST"])
@roles_required(Role.company)
def new_solution():
    form = SolutionForm()
    if form.validate_on_submit():
        solution = run(operations.create_solution, current_user, form.values(), form=form)
        if solution:
            return redirect(url_for("audits.solution", solution_id=solution.id))
    return render_template("audits/solution_form.html", form=form, solution=None), (
        422 if form.errors else 200
    )


@bp.route("/mes-solutions/<int:solution_id>")
@roles_required(Role.company, Role.expert, Role.manager, Role.admin)
def solution(solution_id: int):
    item = solution_or_404(solution_id)
    audits = db.session.scalars(
        Audit.visible_to(current_user).where(Audit.solution_id == item.id).order_by(Audit.id.desc())
    ).all()
    return render_template("audits/solution.html", solution=item, audits=audits, form=CommentForm())


@bp.route("/mes-solutions/<int:solution_id>/modifier", methods=["GET", "POST"])
@roles_required(Role.company)
def edit_solution(solution_id: int):
    item = solution_or_404(solution_id)
    form = SolutionForm(obj=item)
    if form.validate_on_submit() and run(
        operations.update_solution, current_user, item, form.values(), form=form
    ):
        return redirect(url_for("audits.solution", solution_id=item.id))
    return render_template("audits/solution_form.html", form=form, solution=item), (
        422 if form.errors else 200
    )


@bp.route("/mes-solutions/<int:solution_id>/audits", methods=["POST"])
@roles_required(Role.company)
def start_audit(solution_id: int):
    item = solution_or_404(solution_id)
    if not CommentForm().validate_on_submit():
        return redirect(url_for("audits.solution", solution_id=item.id))
    audit = run(operations.start_audit, current_user, item)
    if audit:
        return redirect(url_for("audits.audit", audit_id=audit.id))
    return redirect(url_for("audits.solution", solution_id=item.id))
