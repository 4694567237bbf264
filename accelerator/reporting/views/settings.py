"""The indicators' settings (``/pilotage/indicateurs/parametres``): targets, national
populations, the follow-up questionnaire's delay, partnership agreements and PAF actions.
Managers and admins; each form adds a row, and the page shows what is in force with its
history."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accelerator.audits import storage
from accelerator.certification.questionnaires import DEFAULT_FOLLOW_UP_WEEKS
from accelerator.core.errors import DomainError
from accelerator.core.forms import attempt
from accelerator.core.permissions import roles_required
from accelerator.core.reference import ACADEMIES
from accelerator.extensions import db
from accelerator.reporting import operations
from accelerator.reporting.definitions import BY_CODE
from accelerator.reporting.forms import (
    FollowUpDelayForm,
    PafActionForm,
    PartnershipForm,
    PopulationForm,
    TargetForm,
)
from accelerator.reporting.models import (
    FollowUpDelay,
    NationalPopulation,
    PafAction,
    Partnership,
    Target,
)
from accelerator.reporting.views.common import READERS, bp

#: Partnership documents: what a signed convention is sent as.
DOCUMENT_TYPES = ("application/pdf", storage.ODT_MIMETYPE, storage.DOCX_MIMETYPE)
HISTORY = 50


def _page(forms: dict | None = None, status: int = 200):
    forms = forms or {}
    return render_template(
        "reporting/settings.html",
        target_form=forms.get("target") or TargetForm(prefix="target"),
        population_form=forms.get("population") or PopulationForm(prefix="population"),
        partnership_form=forms.get("partnership") or PartnershipForm(prefix="partnership"),
        follow_up_form=forms.get("follow_up") or FollowUpDelayForm(prefix="follow_up"),
        follow_up_weeks=operations.follow_up_weeks(),
        default_follow_up_weeks=DEFAULT_FOLLOW_UP_WEEKS,
        follow_up_delays=db.session.scalars(
            select(FollowUpDelay)
            .options(selectinload(FollowUpDelay.set_by))
            .order_by(FollowUpDelay.id.desc())
            .limit(HISTORY)
        ).all(),
        paf_form=forms.get("paf") or PafActionForm(prefix="paf"),
        targets=db.session.scalars(select(Target).order_by(Target.id.desc()).limit(HISTORY)).all(),
        populations=db.session.scalars(
            select(NationalPopulation).order_by(NationalPopulation.id.desc()).limit(HISTORY)
        ).all(),
        partnerships=db.session.scalars(
            select(Partnership).order_by(Partnership.academy, Partnership.starts_on)
        ).all(),
        paf_actions=db.session.scalars(
            select(PafAction)
            .options(selectinload(PafAction.sessions))
            .order_by(PafAction.year.desc(), PafAction.academy, PafAction.code)
            .limit(HISTORY * 4)
        ).all(),
        indicators=BY_CODE,
        academies=ACADEMIES,
    ), status


@bp.route("/parametres")
@roles_required(*READERS)
def settings():
    return _page()


@bp.route("/parametres/cibles", methods=["POST"])
@roles_required(*READERS)
def add_target():
    form = TargetForm(prefix="target")
    if form.validate_on_submit():
        with attempt(form) as outcome:
            operations.set_target(
                current_user,
                form.code.data,
                float(form.value.data) if form.value.data is not None else None,
                form.horizon_start.data,
                form.horizon_end.data,
                form.note.data or "",
            )
        if outcome.ok:
            return redirect(url_for("reporting.settings") + "#targets", 303)
    return _page({"target": form}, 422)


@bp.route("/parametres/populations", methods=["POST"])
@roles_required(*READERS)
def add_population():
    form = PopulationForm(prefix="population")
    if form.validate_on_submit():
        with attempt(form) as outcome:
            operations.set_population(
                current_user,
                form.year.data,
                form.academy.data,
                form.teachers.data,
                form.new_teachers.data,
            )
        if outcome.ok:
            return redirect(url_for("reporting.settings") + "#populations", 303)
    return _page({"population": form}, 422)


@bp.route("/parametres/questionnaire-de-suivi", methods=["POST"])
@roles_required(*READERS)
def set_follow_up_delay():
    form = FollowUpDelayForm(prefix="follow_up")
    if form.validate_on_submit():
        with attempt(form) as outcome:
            operations.set_follow_up_delay(current_user, form.weeks.data)
        if outcome.ok:
            return redirect(url_for("reporting.settings") + "#follow-up", 303)
    return _page({"follow_up": form}, 422)


@bp.route("/parametres/partenariats", methods=["POST"])
@roles_required(*READERS)
def add_partnership():
    form = PartnershipForm(prefix="partnership")
    if form.validate_on_submit():
        upload = request.files.get(form.document.name)
        stored = None
        try:
            if upload is not None and upload.filename:
                stored = storage.receive(upload.stream)
                if stored.content_type not in DOCUMENT_TYPES:
                    storage.discard(stored)
                    stored = None
                    raise storage.UploadRefused(
                        415, gettext("Send the signed document as a PDF, ODT or DOCX file.")
                    )
        except DomainError as error:
            form.document.errors = [error.message]
            return _page({"partnership": form}, 422)
        with attempt(form) as outcome:
            operations.record_partnership(
                current_user,
                form.academy.data,
                form.title.data,
                form.starts_on.data,
                form.ends_on.data,
                stored.sha256 if stored else None,
                storage.clean_filename(upload.filename, stored.content_type) if stored else None,
            )
        if stored is not None:
            if outcome.ok:
                storage.commit_file(stored)
            else:
                storage.discard(stored)
        if outcome.ok:
            return redirect(url_for("reporting.settings") + "#partnerships", 303)
    return _page({"partnership": form}, 422)


@bp.route("/parametres/partenariats/<int:partnership_id>/document")
@roles_required(*READERS)
def partnership_document(partnership_id: int):
    partnership = db.session.get(Partnership, partnership_id)
    if partnership is None or not partnership.document_sha256:
        abort(404)
    path = storage.path_for(partnership.document_sha256)
    if not path.exists():
        abort(404)
    return send_file(path, as_attachment=True, download_name=partnership.document_name)


@bp.route("/parametres/paf", methods=["POST"])
@roles_required(*READERS)
def add_paf_action():
    form = PafActionForm(prefix="paf")
    if form.validate_on_submit():
        with attempt(form) as outcome:
            operations.record_paf_action(
                current_user,
                form.academy.data,
                form.year.data,
                form.code.data,
                form.title.data or "",
                (form.sessions.data or "").splitlines(),
            )
        if outcome.ok:
            return redirect(url_for("reporting.settings") + "#paf", 303)
    return _page({"paf": form}, 422)
