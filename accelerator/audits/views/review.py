"""Experts' and managers' pages: evaluations, conflicts of interest, steering, committee."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from wtforms import FormField

from accelerator.accounts.models import Organization, Role, User
from accelerator.audits import operations
from accelerator.audits.forms import (
    JUSTIFICATION_MIN,
    AssignmentForm,
    AuditFilterForm,
    ConflictForm,
    ConsolidationForm,
    DecisionForm,
    ScoreForm,
)
from accelerator.audits.models import Assignment, Audit, ConflictOfInterest, Solution
from accelerator.audits.queries import count_by_effective_status, with_effective_status
from accelerator.audits.results import compute_result, divergent_codes, expert_levels
from accelerator.audits.states import AuditAction, AuditStatus
from accelerator.audits.views import bp
from accelerator.audits.views.common import (
    attempt,
    audit_or_404,
    autosave_answer,
    is_autosave,
    run,
    split_for_review,
)
from accelerator.audits.views.company import domain_or_404, next_domain_url
from accelerator.core.forms import select_choices
from accelerator.core.navigation import NavItem, add_nav_item, add_workspace
from accelerator.core.pagination import paginate_page
from accelerator.core.permissions import roles_required
from accelerator.extensions import db

add_nav_item(
    NavItem(
        21,
        "audits.my_evaluations",
        _l("My evaluations"),
        roles=(Role.expert,),
        prefix="/mes-evaluations",
    )
)
add_nav_item(
    NavItem(
        22,
        "audits.conflicts",
        _l("Conflicts of interest"),
        roles=(Role.expert,),
        prefix="/conflits-d-interets",
    )
)
add_nav_item(
    NavItem(
        23,
        "audits.steering",
        _l("Audit steering"),
        roles=(Role.manager, Role.admin),
        prefix="/pilotage/audits",
    )
)

add_workspace(Role.expert, "audits.my_evaluations")
add_workspace(Role.manager, "audits.steering")

PER_PAGE = 25


@bp.route("/mes-evaluations")
@roles_required(Role.expert)
def my_evaluations():
    audits = db.session.scalars(
        Audit.visible_to(current_user)
        .options(selectinload(Audit.solution), selectinload(Audit.assignments))
        .order_by(Audit.status_changed_at.desc())
    ).all()
    rows = [
        (
            audit,
            next(a for a in audit.assignments if a.expert_id == current_user.id),
            operations.missing_scores(audit, current_user.id)
            if audit.status == AuditStatus.in_review
            else [],
        )
        for audit in audits
    ]
    return render_template("audits/my_evaluations.html", rows=rows)


def scoring_form(audit, criteria):
    class DomainScoresForm(FlaskForm):
        pass

    for criterion in criteria:
        setattr(DomainScoresForm, criterion.code, FormField(ScoreForm, label=criterion.title))
    mine = {s.criterion_code: s for s in audit.scores if s.expert_id == current_user.id}
    data = {
        code: {"level": row.level, "justification": row.justification} for code, row in mine.items()
    }
    return DomainScoresForm(data=data)


@bp.route("/audits/<int:audit_id>/evaluation/<domain_code>", methods=["GET", "POST"])
@roles_required(Role.expert)
def scoring(audit_id: int, domain_code: str):
    audit = audit_or_404(audit_id)
    domain = domain_or_404(audit, domain_code)
    criteria, carried = split_for_review(audit, audit.applicable_criteria(domain))
    form = scoring_form(audit, criteria)
    editable = audit.can_score(current_user)
    if editable and form.validate_on_submit():
        # The rule of the API (and of static/js/autosave.js, which sends a level only with
        # its justification): a level is recorded with a justification of 20 characters
        # at least; a justification without a level is refused on a submit of the page.
        filled = [c for c in criteria if form[c.code].level.data is not None]
        for criterion in filled:
            sub = form[criterion.code]
            if not (sub.justification.data or "").strip():
                sub.justification.errors = list(sub.justification.errors) + [
                    gettext("A justification is required with the level.")
                ]
        if not is_autosave():
            for criterion in criteria:
                sub = form[criterion.code]
                if sub.level.data is None and (sub.justification.data or "").strip():
                    sub.level.errors = list(sub.level.errors) + [
                        gettext("Choose the level this justification explains.")
                    ]
        outcome = None
        if not any(form[c.code].errors for c in criteria):
            with attempt(None if is_autosave() else form, quiet=is_autosave()) as outcome:
                for criterion in filled:
                    sub = form[criterion.code]
                    operations.record_score(
                        current_user,
                        audit,
                        criterion.code,
                        sub.level.data,
                        sub.justification.data.strip(),
                    )
        if is_autosave():
            return autosave_answer(outcome, form, len(filled))
        if outcome is not None and outcome.ok:
            flash(gettext("%(count)s levels saved.", count=len(filled)), "success")
            return redirect(next_domain_url("audits.scoring", audit, domain))
    elif is_autosave():
        return autosave_answer(None, form, 0)
    others = {}
    for score in audit.scores_visible_to(current_user):
        if score.expert_id != current_user.id:
            others.setdefault(score.criterion_code, []).append(score)
    answers = {a.criterion_code: a for a in audit.answers}
    has_errors = any(form[c.code].errors for c in criteria)
    return render_template(
        "audits/scoring.html",
        audit=audit,
        domain=domain,
        criteria=criteria,
        carried=carried,
        form=form,
        editable=editable,
        answers=answers,
        others=others,
        missing=operations.missing_scores(audit, current_user.id),
        justification_min=JUSTIFICATION_MIN,
    ), (422 if has_errors else 200)


@bp.route("/audits/<int:audit_id>/evaluation/terminer", methods=["POST"])
@roles_required(Role.expert)
def complete_scoring(audit_id: int):
    audit = audit_or_404(audit_id)
    if FlaskForm().validate_on_submit() and run(operations.complete_scoring, current_user, audit):
        flash(
            gettext("Your first pass is recorded: the other experts' levels are now shown."),
            "success",
        )
    return redirect(url_for("audits.audit", audit_id=audit.id))


@bp.route("/conflits-d-interets", methods=["GET", "POST"])
@roles_required(Role.expert)
def conflicts():
    form = ConflictForm()
    organizations = db.session.scalars(select(Organization).order_by(Organization.name)).all()
    form.organization_id.choices = select_choices(
        [(0, gettext("Choose a company"))] + [(org.id, org.name) for org in organizations]
    )
    if form.validate_on_submit():
        organization = db.session.get(Organization, form.organization_id.data)
        if organization is None:
            form.organization_id.errors = [gettext("Choose a company")]
        elif run(
            operations.declare_conflict,
            current_user,
            organization,
            form.reason.data.strip(),
            form=form,
        ):
            flash(
                gettext(
                    "Your declaration is recorded: you will not be assigned to this "
                    "company's audits."
                ),
                "success",
            )
            return redirect(url_for("audits.conflicts"))
    mine = db.session.scalars(
        ConflictOfInterest.visible_to(current_user).order_by(ConflictOfInterest.declared_at.desc())
    ).all()
    return render_template("audits/conflicts.html", form=form, conflicts=mine), (
        422 if form.errors else 200
    )


@bp.route("/pilotage/audits")
@roles_required(Role.manager, Role.admin)
def steering():
    filters = AuditFilterForm(request.args)
    filters.status.choices = select_choices(
        ((status.value, status.label) for status in AuditStatus),
        placeholder=gettext("All states"),
    )
    if not filters.validate():
        abort(400)
    statement = (
        Audit.visible_to(current_user)
        .join(Solution, Solution.id == Audit.solution_id)
        .join(Organization, Organization.id == Solution.organization_id)
        .options(
            selectinload(Audit.solution).selectinload(Solution.organization),
            selectinload(Audit.assignments).selectinload(Assignment.expert),
        )
    )
    if filters.status.data:
        # The effective status, as the API filters: an approval past its validity is expired.
        statement = with_effective_status(statement, AuditStatus(filters.status.data))
    if filters.q.data:
        pattern = f"%{filters.q.data.strip()}%"
        statement = statement.where(
            or_(Solution.name.ilike(pattern), Organization.name.ilike(pattern))
        )
    page = paginate_page(
        statement.order_by(Audit.status_changed_at), PER_PAGE, page=filters.page.data or 1
    )
    counts = dict(
        db.session.execute(count_by_effective_status(Audit.visible_to(current_user))).all()
    )
    now = datetime.now(UTC)
    return render_template(
        "audits/steering.html",
        page=page,
        filters=filters,
        counts=counts,
        now=now,
        statuses=list(AuditStatus),
        workload=operations.expert_workload(),
    )


@bp.route("/audits/<int:audit_id>/experts", methods=["POST"])
@roles_required(Role.manager)
def assign(audit_id: int):
    audit = audit_or_404(audit_id)
    form = AssignmentForm()
    form.expert_id.choices = select_choices(
        (u.id, u.full_name)
        for u in db.session.scalars(select(User).where(User.role == Role.expert))
    )
    if form.validate_on_submit():
        expert = db.session.get(User, form.expert_id.data)
        if run(operations.assign_expert, current_user, audit, expert):
            flash(gettext("%(name)s is assigned to the audit.", name=expert.full_name), "success")
    else:
        flash(gettext("Choose an active expert account."), "error")
    return redirect(url_for("audits.audit", audit_id=audit.id) + "#experts")


@bp.route("/audits/<int:audit_id>/consolidation", methods=["POST"])
@roles_required(Role.manager)
def consolidate(audit_id: int):
    audit = audit_or_404(audit_id)
    form = ConsolidationForm()
    if form.validate_on_submit():
        if run(
            operations.consolidate_criterion,
            current_user,
            audit,
            form.criterion_code.data,
            form.level.data,
            form.justification.data.strip(),
        ):
            flash(
                gettext("Divergence on %(code)s settled.", code=form.criterion_code.data), "success"
            )
    else:
        for field in form:
            for message in field.errors:
                flash(f"{field.label.text} : {message}", "error")
    return redirect(url_for("audits.audit", audit_id=audit.id) + "#divergences")


@bp.route("/audits/<int:audit_id>/comite", methods=["GET", "POST"])
@roles_required(Role.manager, Role.admin)
def committee(audit_id: int):
    audit = audit_or_404(audit_id)
    form = DecisionForm()
    if request.method == "POST" and current_user.role != Role.manager:
        abort(403)
    refused = False
    if form.validate_on_submit():
        done = run(
            operations.decide_audit,
            current_user,
            audit,
            form.outcome.data,
            form.motivation.data,
            form.condition_values(),
            form.valid_until.data,
            committee_date=form.committee_date.data,
            committee_members=form.member_names(),
            form=form,
        )
        if done:
            flash(gettext("The decision is recorded and the company informed."), "success")
            return redirect(url_for("audits.audit", audit_id=audit.id))
        refused = True
    result = compute_result(audit)
    criteria = audit.applicable_criteria()
    scores = {}
    for score in audit.scores:
        scores.setdefault(score.criterion_code, []).append(score)
    return render_template(
        "audits/committee.html",
        audit=audit,
        may_decide=AuditAction.decide in operations.available_actions(current_user, audit),
        form=form,
        result=result,
        criteria=criteria,
        scores=scores,
        levels=expert_levels(audit),
        settled={c.criterion_code: c for c in audit.consolidations},
        divergent=set(divergent_codes(audit, include_settled=True)),
        domains={d.code: d for d in audit.framework_version.domains},
    ), (422 if form.errors else 409 if refused else 200)
