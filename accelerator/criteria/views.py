"""Pages of the cadre de confiance: the public framework and its PDF, the self-diagnostic,
and the administrators' pages (versions, editing a draft, differences, publication)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from accelerator.accounts.models import Role
from accelerator.core.errors import DomainError
from accelerator.core.forms import attempt
from accelerator.core.navigation import NavItem, add_nav_item
from accelerator.core.pdf import kept_pdf
from accelerator.core.permissions import public, roles_required
from accelerator.criteria import operations
from accelerator.criteria.diagnostic import diagnose
from accelerator.criteria.diff import diff
from accelerator.criteria.document import document_of
from accelerator.criteria.exports import framework_pdf
from accelerator.criteria.forms import (
    ANSWER_LABELS,
    CriterionForm,
    DomainForm,
    EmptyForm,
    VersionForm,
    diagnostic_form,
    field_name,
)
from accelerator.criteria.models import Criterion, Domain, FrameworkVersion, VersionStatus
from accelerator.criteria.rules import ATTRIBUTES, DEFAULT_LEVEL_LABELS
from accelerator.extensions import db

bp = Blueprint("criteria", __name__)


def _with_content(version_id: int, statement=None) -> FrameworkVersion:
    statement = statement if statement is not None else select(FrameworkVersion)
    version = db.session.scalar(
        statement.where(FrameworkVersion.id == version_id).options(FrameworkVersion.with_content())
    )
    if version is None:
        abort(404)
    return version


def _in_force() -> FrameworkVersion | None:
    version = FrameworkVersion.in_force()
    return _with_content(version.id) if version is not None else None


def _pdf_bytes(version: FrameworkVersion) -> bytes:
    """Building one takes a few tenths of a second: a version that is no longer a draft never
    changes, so its PDF is built once per language and status and kept in storage."""
    if version.status == VersionStatus.draft:
        return framework_pdf(version)
    state = {
        "version": [version.id, version.created_at],  # ids restart with a database reset
        "status": version.status.value,
        "locale": str(get_locale()),
    }
    return kept_pdf("cadre", state, lambda: framework_pdf(version))


def _pdf_response(version: FrameworkVersion) -> Response:
    response = Response(_pdf_bytes(version), mimetype="application/pdf")
    filename = f"cadre-de-confiance-{version.version}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    if version.status != VersionStatus.draft:
        # A published version never changes: a browser or a CDN may keep it.
        response.cache_control.public = True
        response.cache_control.max_age = 3600
        response.vary.add("Cookie")  # the language comes from the session
        response.add_etag()
        response.make_conditional(request)
    return response


# --- Public pages -----------------------------------------------------------------------


def _render_framework(version: FrameworkVersion | None):
    others = db.session.scalars(
        FrameworkVersion.visible_to(current_user)
        .where(FrameworkVersion.status != VersionStatus.draft)
        .order_by(FrameworkVersion.id.desc())
    ).all()
    return render_template(
        "criteria/framework.html",
        version=version,
        attributes=ATTRIBUTES,
        others=[other for other in others if version is None or other.id != version.id],
    )


@bp.route("/cadre-de-confiance")
@public
def framework():
    return _render_framework(_in_force())


@bp.route("/cadre-de-confiance.pdf")
@public
def framework_pdf_in_force():
    version = _in_force()
    if version is None:
        abort(404)
    return _pdf_response(version)


@bp.route("/cadre-de-confiance/versions/<int:version_id>")
@public
def framework_version(version_id: int):
    return _render_framework(_with_content(version_id, FrameworkVersion.visible_to(current_user)))


@bp.route("/cadre-de-confiance/versions/<int:version_id>.pdf")
@public
def framework_version_pdf(version_id: int):
    return _pdf_response(_with_content(version_id, FrameworkVersion.visible_to(current_user)))


@bp.route("/cadre-de-confiance/autodiagnostic", methods=["GET", "POST"])
@public
def self_diagnostic():
    """Open to anyone, nothing stored: the answers are scored and the gaps listed."""
    version = _in_force()
    if version is None:
        return _render_framework(None), 404
    form = diagnostic_form(version, request.form if request.method == "POST" else None)
    result = None
    if form.validate_on_submit():
        attributes = {name: bool(form[f"attr_{name}"].data) for name in ATTRIBUTES}
        answers = {
            criterion.code: form[field_name(criterion.code)].data
            for criterion in version.criteria()
            if form[field_name(criterion.code)].data
        }
        result = diagnose(version, attributes, answers)
    status = 422 if form.errors else 200
    return render_template(
        "criteria/self_diagnostic.html",
        version=version,
        form=form,
        field_name=field_name,
        attributes=ATTRIBUTES,
        answer_labels=ANSWER_LABELS,
        result=result,
        number=lambda value: format_decimal(value, format="0.0"),
    ), status


# --- Administration ---------------------------------------------------------------------

ADMIN = roles_required(Role.admin)


def _domain(version: FrameworkVersion, domain_id: int) -> Domain:
    domain = next((d for d in version.domains if d.id == domain_id), None)
    if domain is None:
        abort(404)
    return domain


def _criterion(domain: Domain, criterion_id: int) -> Criterion:
    criterion = next((c for c in domain.criteria if c.id == criterion_id), None)
    if criterion is None:
        abort(404)
    return criterion


def _form_page(template: str, form, **context):
    return render_template(template, form=form, **context), (422 if form.errors else 200)


@bp.route("/admin/cadre")
@ADMIN
def admin_versions():
    versions = db.session.scalars(
        select(FrameworkVersion).order_by(FrameworkVersion.id.desc())
    ).all()
    return render_template(
        "criteria/admin/versions.html",
        versions=versions,
        in_force=FrameworkVersion.in_force(),
        form=EmptyForm(),
    )


@bp.route("/admin/cadre/brouillon", methods=["POST"])
@ADMIN
def admin_create_draft():
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    draft = operations.draft_from(current_user)
    flash(gettext("Draft %(version)s created: edit it, then publish it.", version=draft.version))
    return redirect(url_for("criteria.admin_version", version_id=draft.id))


@bp.route("/admin/cadre/versions/<int:version_id>")
@ADMIN
def admin_version(version_id: int):
    version = _with_content(version_id)
    problems = operations.publication_problems(version) if version.is_editable else []
    return render_template(
        "criteria/admin/version.html",
        version=version,
        attributes=ATTRIBUTES,
        problems=problems,
        form=EmptyForm(),
    )


@bp.route("/admin/cadre/versions/<int:version_id>/export.yaml")
@ADMIN
def admin_export(version_id: int):
    version = _with_content(version_id)
    response = Response(operations.export_text(version), mimetype="application/yaml")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{version.framework.code}-{version.version}.yaml"'
    )
    return response


@bp.route("/admin/cadre/versions/<int:version_id>/modifier", methods=["GET", "POST"])
@ADMIN
def admin_edit_version(version_id: int):
    version = _with_content(version_id)
    operations.require_draft(version)
    form = VersionForm(
        data=None
        if request.method == "POST"
        else {
            "version": version.version,
            "label": version.label,
            "approve": version.thresholds.get("approve"),
            "approve_with_conditions": version.thresholds.get("approve_with_conditions"),
        }
    )
    if form.validate_on_submit():
        with attempt(form) as outcome:
            operations.update_version(
                current_user,
                version,
                {
                    "version": form.version.data,
                    "label": form.label.data,
                    "approve": float(form.approve.data),
                    "approve_with_conditions": float(form.approve_with_conditions.data),
                },
            )
        if outcome.ok:
            flash(gettext("Version updated."), "success")
            return redirect(url_for("criteria.admin_version", version_id=version_id))
    return _form_page("criteria/admin/version_form.html", form, version=version)


@bp.route("/admin/cadre/versions/<int:version_id>/domaines/nouveau", methods=["GET", "POST"])
@bp.route(
    "/admin/cadre/versions/<int:version_id>/domaines/<int:domain_id>/modifier",
    methods=["GET", "POST"],
)
@ADMIN
def admin_domain(version_id: int, domain_id: int | None = None):
    version = _with_content(version_id)
    operations.require_draft(version)
    domain = _domain(version, domain_id) if domain_id is not None else None
    form = DomainForm(obj=domain if request.method == "GET" else None)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            if domain is None:
                operations.add_domain(current_user, version, form.data_for_operation())
            else:
                operations.update_domain(current_user, domain, form.data_for_operation())
        if outcome.ok:
            flash(gettext("Domain saved."), "success")
            return redirect(url_for("criteria.admin_version", version_id=version_id))
    return _form_page("criteria/admin/domain_form.html", form, version=version, domain=domain)


@bp.route(
    "/admin/cadre/versions/<int:version_id>/domaines/<int:domain_id>/supprimer",
    methods=["POST"],
)
@ADMIN
def admin_delete_domain(version_id: int, domain_id: int):
    version = _with_content(version_id)
    domain = _domain(version, domain_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    operations.delete_domain(current_user, domain)
    flash(gettext("Domain %(code)s deleted.", code=domain.code), "success")
    return redirect(url_for("criteria.admin_version", version_id=version_id))


def _criterion_form(domain: Domain, criterion: Criterion | None) -> CriterionForm:
    if request.method == "POST":
        return CriterionForm(domain_code=domain.code)
    if criterion is None:
        data = {
            "code": f"{domain.code}-{len(domain.criteria) + 1:02d}",
            "levels": [{"label": label, "descriptor": ""} for label in DEFAULT_LEVEL_LABELS],
        }
    else:
        data = {
            "code": criterion.code,
            "title": criterion.title,
            "guidance": criterion.guidance,
            "evidence_expected": criterion.evidence_expected,
            "weight": criterion.weight,
            "eliminatory": criterion.eliminatory,
            "min_level": str(criterion.min_level),
            "applies_if": criterion.applies_if or "",
            "public": criterion.public,
            "levels": [{"label": lv.label, "descriptor": lv.descriptor} for lv in criterion.levels],
        }
    return CriterionForm(data=data, domain_code=domain.code)


@bp.route(
    "/admin/cadre/versions/<int:version_id>/domaines/<int:domain_id>/criteres/nouveau",
    methods=["GET", "POST"],
)
@bp.route(
    "/admin/cadre/versions/<int:version_id>/domaines/<int:domain_id>/criteres/"
    "<int:criterion_id>/modifier",
    methods=["GET", "POST"],
)
@ADMIN
def admin_criterion(version_id: int, domain_id: int, criterion_id: int | None = None):
    version = _with_content(version_id)
    operations.require_draft(version)
    domain = _domain(version, domain_id)
    criterion = _criterion(domain, criterion_id) if criterion_id is not None else None
    form = _criterion_form(domain, criterion)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            if criterion is None:
                operations.add_criterion(current_user, domain, form.data_for_operation())
            else:
                operations.update_criterion(current_user, criterion, form.data_for_operation())
        if outcome.ok:
            flash(gettext("Criterion saved."), "success")
            return redirect(url_for("criteria.admin_version", version_id=version_id))
    return _form_page(
        "criteria/admin/criterion_form.html",
        form,
        version=version,
        domain=domain,
        criterion=criterion,
    )


@bp.route(
    "/admin/cadre/versions/<int:version_id>/domaines/<int:domain_id>/criteres/"
    "<int:criterion_id>/supprimer",
    methods=["POST"],
)
@ADMIN
def admin_delete_criterion(version_id: int, domain_id: int, criterion_id: int):
    version = _with_content(version_id)
    criterion = _criterion(_domain(version, domain_id), criterion_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    operations.delete_criterion(current_user, criterion)
    flash(gettext("Criterion %(code)s deleted.", code=criterion.code), "success")
    return redirect(url_for("criteria.admin_version", version_id=version_id))


@bp.route("/admin/cadre/versions/<int:version_id>/differences")
@ADMIN
def admin_diff(version_id: int):
    version = _with_content(version_id)
    in_force = FrameworkVersion.in_force_of(version.framework_id)
    reference = _with_content(in_force.id) if in_force is not None else None
    changes = diff(document_of(reference) if reference else None, document_of(version))
    return render_template(
        "criteria/admin/diff.html", version=version, reference=reference, changes=changes
    )


@bp.route("/admin/cadre/versions/<int:version_id>/publier", methods=["GET", "POST"])
@ADMIN
def admin_publish(version_id: int):
    version = _with_content(version_id)
    operations.require_draft(version)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            operations.publish_version(current_user, version)
        except DomainError as error:
            db.session.rollback()
            for message in error.errors.get("version", [error.message]):
                flash(message, "error")
            return redirect(url_for("criteria.admin_version", version_id=version_id))
        flash(gettext("Version %(version)s is now in force.", version=version.version), "success")
        return redirect(url_for("criteria.admin_versions"))
    in_force = FrameworkVersion.in_force_of(version.framework_id)
    return render_template(
        "criteria/admin/confirm.html",
        version=version,
        form=form,
        action="publish",
        in_force=in_force,
    )


@bp.route("/admin/cadre/versions/<int:version_id>/retirer", methods=["GET", "POST"])
@ADMIN
def admin_retire(version_id: int):
    version = _with_content(version_id)
    form = EmptyForm()
    if form.validate_on_submit():
        operations.retire_version(current_user, version)
        flash(gettext("Version %(version)s is retired.", version=version.version), "success")
        return redirect(url_for("criteria.admin_versions"))
    return render_template(
        "criteria/admin/confirm.html", version=version, form=form, action="retire"
    )


@bp.route("/admin/cadre/versions/<int:version_id>/supprimer", methods=["GET", "POST"])
@ADMIN
def admin_delete_draft(version_id: int):
    version = _with_content(version_id)
    operations.require_draft(version)
    form = EmptyForm()
    if form.validate_on_submit():
        label = version.version
        operations.delete_draft(current_user, version)
        flash(gettext("Draft %(version)s deleted.", version=label), "success")
        return redirect(url_for("criteria.admin_versions"))
    return render_template(
        "criteria/admin/confirm.html", version=version, form=form, action="delete"
    )


add_nav_item(NavItem(10, "criteria.framework", _l("The cadre de confiance")))
add_nav_item(NavItem(85, "criteria.admin_versions", _l("Framework admin"), roles=(Role.admin,)))
