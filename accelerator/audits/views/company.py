"""Company pages of an audit: the self-assessment domain by domain, evidence, renewal."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import FormField

from accelerator.accounts.models import Role
from accelerator.audits import operations, storage
from accelerator.audits.forms import CommentForm, CriterionAnswerForm, EvidenceForm
from accelerator.audits.models import Answer
from accelerator.audits.views import bp
from accelerator.audits.views.audit import READERS, self_assessment_progress
from accelerator.audits.views.common import (
    attempt,
    audit_or_404,
    autosave_answer,
    is_autosave,
    run,
    split_for_review,
)
from accelerator.core.errors import DomainError
from accelerator.core.permissions import roles_required


def domain_or_404(audit, domain_code: str):
    domain = next((d for d in audit.framework_version.domains if d.code == domain_code), None)
    if domain is None:
        abort(404)
    return domain


def next_domain_url(endpoint: str, audit, domain) -> str:
    """The next domain's page, or the audit's page after the last domain."""
    codes = [d.code for d in audit.framework_version.domains]
    position = codes.index(domain.code)
    if position + 1 < len(codes):
        return url_for(endpoint, audit_id=audit.id, domain_code=codes[position + 1])
    return url_for("audits.audit", audit_id=audit.id)


def self_assessment_form(audit, criteria):
    """A form with one sub-form per applicable criterion of the domain, prefilled."""

    class DomainAnswersForm(FlaskForm):
        pass

    for criterion in criteria:
        setattr(
            DomainAnswersForm, criterion.code, FormField(CriterionAnswerForm, label=criterion.title)
        )
    answers = {a.criterion_code: a for a in audit.answers}
    data = {
        code: {
            "answer": row.answer.value,
            "comment": row.comment,
            "evidence": [e.id for e in row.evidence],
        }
        for code, row in answers.items()
    }
    form = DomainAnswersForm(data=data)
    choices = [(e.id, e.filename) for e in audit.evidence]
    for criterion in criteria:
        form[criterion.code].evidence.choices = choices
    return form


@bp.route("/audits/<int:audit_id>/auto-evaluation/<domain_code>", methods=["GET", "POST"])
@roles_required(Role.company)
def self_assessment(audit_id: int, domain_code: str):
    audit = audit_or_404(audit_id)
    domain = domain_or_404(audit, domain_code)
    criteria, carried = split_for_review(audit, audit.applicable_criteria(domain))
    form = self_assessment_form(audit, criteria)
    editable = audit.can_edit_self_assessment(current_user)
    if editable and form.validate_on_submit():
        answered = [c for c in criteria if form[c.code].answer.data]
        with attempt(quiet=is_autosave()) as outcome:
            for criterion in answered:
                sub = form[criterion.code]
                operations.answer_criterion(
                    current_user,
                    audit,
                    criterion.code,
                    Answer(sub.answer.data),
                    sub.comment.data or "",
                    sub.evidence.data or [],
                )
        if is_autosave():
            return autosave_answer(outcome, form, len(answered))
        if outcome.ok:
            flash(gettext("%(count)s answers saved.", count=len(answered)), "success")
            return redirect(next_domain_url("audits.self_assessment", audit, domain))
    elif is_autosave():
        return autosave_answer(None, form, 0)
    return render_template(
        "audits/self_assessment.html",
        audit=audit,
        domain=domain,
        criteria=criteria,
        carried=carried,
        form=form,
        editable=editable,
        progress=self_assessment_progress(audit),
        evidence_form=EvidenceForm(),
    ), (422 if form.errors else 200)


@bp.route("/audits/<int:audit_id>/pieces", methods=["POST"])
@roles_required(Role.company)
def upload_evidence(audit_id: int):
    audit = audit_or_404(audit_id)
    form = EvidenceForm()
    if form.validate_on_submit():
        upload = form.file.data
        result = run(
            operations.add_evidence, current_user, audit, upload.stream, upload.filename, form=form
        )
        if result:
            evidence, created = result
            flash(
                gettext("File “%(name)s” added.", name=evidence.filename)
                if created
                else gettext("This file was already attached: “%(name)s”.", name=evidence.filename),
                "success",
            )
            return redirect(url_for("audits.audit", audit_id=audit.id) + "#pieces")
    for message in form.file.errors:
        flash(str(message), "error")
    return redirect(url_for("audits.audit", audit_id=audit.id) + "#pieces")


@bp.route("/audits/<int:audit_id>/pieces/<int:evidence_id>")
@roles_required(*READERS)
def download_evidence(audit_id: int, evidence_id: int):
    audit = audit_or_404(audit_id)
    try:
        evidence, path = operations.evidence_file(current_user, audit, evidence_id)
    except DomainError:
        abort(404)
    return storage.attachment(evidence, path)


@bp.route("/audits/<int:audit_id>/pieces/<int:evidence_id>/supprimer", methods=["POST"])
@roles_required(Role.company)
def remove_evidence(audit_id: int, evidence_id: int):
    audit = audit_or_404(audit_id)
    if not any(e.id == evidence_id for e in audit.evidence):
        abort(404)
    if CommentForm().validate_on_submit():
        removed = run(operations.remove_evidence, current_user, audit, evidence_id)
        if removed:
            flash(gettext("File “%(name)s” removed.", name=removed.filename), "success")
    return redirect(url_for("audits.audit", audit_id=audit.id) + "#pieces")


@bp.route("/audits/<int:audit_id>/renouveler", methods=["POST"])
@roles_required(Role.company)
def renew(audit_id: int):
    audit = audit_or_404(audit_id)
    if CommentForm().validate_on_submit():
        new = run(operations.renew_audit, current_user, audit)
        if new:
            flash(gettext("A renewal audit is started, prefilled from the last one."), "success")
            return redirect(url_for("audits.audit", audit_id=new.id))
    return redirect(url_for("audits.audit", audit_id=audit.id))
