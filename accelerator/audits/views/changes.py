"""Changes after approval: the company declares a substantial change; managers accept or
refuse edited public texts and decide the changes. Each page calls ``audits.operations``."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from accelerator.accounts.models import Role
from accelerator.audits import operations
from accelerator.audits.forms import ChangeDecisionForm, ChangeForm, CommentForm, TextsRefusalForm
from accelerator.audits.models import ChangeOutcome, SubstantialChange
from accelerator.audits.views import bp
from accelerator.audits.views.common import attempt, solution_or_404
from accelerator.core.forms import select_choices
from accelerator.core.permissions import roles_required
from accelerator.extensions import db


def decision_form(change: SubstantialChange | None) -> ChangeDecisionForm:
    form = ChangeDecisionForm()
    if change is not None:
        form.domains.choices = select_choices(
            (d.code, f"{d.code} — {d.name}") for d in change.audit.framework_version.domains
        )
    return form


@bp.route("/mes-solutions/<int:solution_id>/changement-substantiel", methods=["GET", "POST"])
@roles_required(Role.company)
def declare_change(solution_id: int):
    item = solution_or_404(solution_id)
    declared = item.declarations()
    form = ChangeForm(
        data={
            "processes_personal_data": declared["processes_personal_data"],
            "gar_compatible": declared["gar_compatible"],
            "uses_ai": declared["uses_ai"],
            "hosting_country": declared["hosting_country"],
            "hosting_provider": declared["hosting_provider"],
            "product_version": declared["version"],
            "pricing": declared["pricing"],
        }
        if not form_posted()
        else None
    )
    status = 200
    if form.validate_on_submit():
        with attempt(form) as outcome:
            operations.declare_change(
                current_user, item, form.description.data, form.declarations()
            )
        if outcome.ok:
            flash(
                gettext("Your change is declared: a manager of Réseau Canopé reviews it."),
                "success",
            )
            return redirect(url_for("audits.solution", solution_id=item.id))
        status = 422 if form.errors else 409
    elif form.errors:
        status = 422
    return render_template("audits/change_form.html", form=form, solution=item), status


def form_posted() -> bool:
    from flask import request

    return request.method == "POST"


@bp.route("/mes-solutions/<int:solution_id>/textes/accepter", methods=["POST"])
@roles_required(Role.manager)
def accept_texts(solution_id: int):
    item = solution_or_404(solution_id)
    if not CommentForm().validate_on_submit():
        abort(400)
    with attempt() as outcome:
        operations.accept_public_texts(current_user, item)
    if outcome.ok:
        flash(gettext("The new texts are public."), "success")
    return redirect(url_for("audits.solution", solution_id=item.id))


@bp.route("/mes-solutions/<int:solution_id>/textes/refuser", methods=["POST"])
@roles_required(Role.manager)
def refuse_texts(solution_id: int):
    item = solution_or_404(solution_id)
    form = TextsRefusalForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            operations.refuse_public_texts(current_user, item, form.comment.data)
        if outcome.ok:
            flash(gettext("The texts are refused; the accepted ones are back."), "success")
    else:
        flash(gettext("Say why the texts are refused."), "error")
    return redirect(url_for("audits.solution", solution_id=item.id))


@bp.route("/changements/<int:change_id>/decision", methods=["POST"])
@roles_required(Role.manager)
def decide_change(change_id: int):
    change = db.session.get(SubstantialChange, change_id)
    if change is None:
        abort(404)
    form = decision_form(change)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            operations.decide_change(
                current_user,
                change,
                ChangeOutcome(form.outcome.data),
                form.comment.data,
                list(form.domains.data or []),
            )
        if outcome.ok:
            flash(gettext("The change is decided."), "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
    return redirect(url_for("audits.solution", solution_id=change.solution_id))
