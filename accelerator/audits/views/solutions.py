"""Company pages: "Mes solutions", describing a solution, starting an audit."""

from __future__ import annotations

from flask import abort, redirect, render_template, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload

from accelerator.accounts.models import Role
from accelerator.audits import operations, storage
from accelerator.audits.forms import CommentForm, SolutionForm
from accelerator.audits.models import Audit, Solution
from accelerator.audits.queries import solution_ids_in_force
from accelerator.audits.views import bp
from accelerator.audits.views.common import attempt, run, solution_or_404
from accelerator.core.navigation import NavItem, add_nav_item
from accelerator.core.permissions import guarded_by, roles_required
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
        with attempt(form) as outcome:
            solution = operations.create_solution(current_user, form.values())
            if form.logo.data:
                operations.set_solution_logo(current_user, solution, form.logo.data.stream)
        if outcome.ok:
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
    from accelerator.audits.forms import TextsRefusalForm
    from accelerator.audits.views.changes import decision_form

    change = operations.open_change(item)
    return render_template(
        "audits/solution.html",
        solution=item,
        audits=audits,
        form=CommentForm(),
        approval=operations.current_approval(item),
        change=change,
        decision_form=decision_form(change),
        refusal_form=TextsRefusalForm(),
    )


@bp.route("/mes-solutions/<int:solution_id>/modifier", methods=["GET", "POST"])
@roles_required(Role.company)
def edit_solution(solution_id: int):
    item = solution_or_404(solution_id)
    form = SolutionForm(obj=item)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            operations.update_solution(current_user, item, form.values())
            if form.logo.data:
                operations.set_solution_logo(current_user, item, form.logo.data.stream)
        if outcome.ok:
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


@bp.route("/solutions/<int:solution_id>/logo")
@guarded_by("Solution.visible_to", "in the catalogue")
def logo(solution_id: int):
    """A solution's logo: public once the solution is in the catalogue, otherwise for those
    who may see the solution. Its content never changes (content-addressed), so caches keep
    it; the catalogue's link names the version, so a newly accepted logo is a new URL."""
    item = db.session.get(Solution, solution_id)
    if item is None:
        abort(404)
    in_catalogue = db.session.scalar(solution_ids_in_force().where(Audit.solution_id == item.id))
    reader = (
        current_user.is_authenticated
        and db.session.scalar(Solution.visible_to(current_user).where(Solution.id == item.id))
        is not None
    )
    if not in_catalogue and not reader:
        abort(404)
    # The public sees the logo a manager accepted (a new one waits for the decision, like
    # the texts); the company and the staff see the latest one.
    name = item.logo_name if reader else item.published_texts().get("logo_name")
    if not name:
        abort(404)
    path = storage.path_for(name)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=storage.detect_type(path),
        max_age=86400,
        etag=name,
        conditional=True,
    )
    response.headers["Cache-Control"] = (
        "private, max-age=3600" if reader else "public, max-age=86400"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
