"""Training pages: sessions to come, a session (enrol, cancel, attendance), create and edit
sessions, attendance imports; training paths (public list and page, drafting, publishing)."""

from __future__ import annotations

import csv
import io

from babel.numbers import format_decimal
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload

from accelerator.accounts.models import Role
from accelerator.core.db import utcnow
from accelerator.core.errors import Invalid
from accelerator.core.jobs import visible_job
from accelerator.core.navigation import NavItem, add_nav_item, add_workspace
from accelerator.core.pagination import paginate_page
from accelerator.core.permissions import guarded_by, public, roles_required
from accelerator.core.textfiles import MAX_LINE_CHARS
from accelerator.core.unit_of_work import attempt
from accelerator.extensions import db
from accelerator.training import operations
from accelerator.training.forms import (
    IMPORT_MAX_BYTES,
    ActionForm,
    EnrolForm,
    EnrollTeacherForm,
    ImportForm,
    PathForm,
    SessionFilterForm,
    SessionForm,
)
from accelerator.training.imports import (
    KIND,
    MAX_REPORTED_ERRORS,
    looks_like_csv,
    queue_attendance_import,
    template_csv,
)
from accelerator.training.models import (
    MANAGING_ROLES,
    Enrollment,
    EnrollmentStatus,
    SessionFormat,
    TrainingSession,
    designs_paths,
)
from accelerator.training.operations import PARIS, SessionFilters, SessionPeriod

bp = Blueprint("training", __name__)

PER_PAGE = 20
#: The list's heading and its table's caption, by the sessions it shows.
LIST_HEADINGS = {
    SessionPeriod.upcoming: (
        _l("Training sessions to come"),
        _l("Sessions to come, soonest first"),
    ),
    SessionPeriod.past: (_l("Past training sessions"), _l("Past sessions, latest first")),
    SessionPeriod.all: (
        _l("All training sessions"),
        _l("Sessions to come and past sessions, in date order"),
    ),
}


@bp.route("/formations")
@public
def sessions_list():
    form = SessionFilterForm(request.args)
    filters = SessionFilters()
    if form.validate():
        filters = SessionFilters(
            when=SessionPeriod(form.when.data or SessionPeriod.upcoming),
            solution_id=int(form.solution.data) if form.solution.data else None,
            academy=form.academy.data or None,
            format=SessionFormat(form.format.data) if form.format.data else None,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
        )
    statement = operations.sessions_to_come(current_user, filters).options(
        selectinload(TrainingSession.solutions)
    )
    page = paginate_page(statement, PER_PAGE)
    heading, caption = LIST_HEADINGS[filters.when]
    return render_template(
        "training/list.html",
        form=form,
        page=page,
        when=filters.when,
        heading=heading,
        caption=caption,
    )


def _my_enrollment(session) -> Enrollment | None:
    teacher = getattr(current_user, "teacher", None) if current_user.is_authenticated else None
    return operations.enrollment_of(session.id, teacher.id) if teacher is not None else None


@bp.route("/formations/<int:session_id>")
@public
def session_detail(session_id: int):
    return _detail_page(operations.get_session(current_user, session_id))


def _detail_page(session, enrol_form: EnrolForm | None = None, status: int = 200):
    mine = _my_enrollment(session)
    roster = []
    if session.can_manage(current_user):
        roster = db.session.scalars(operations.roster(session, grouped=True)).all()
    return render_template(
        "training/detail.html",
        session=session,
        mine=mine,
        rank=operations.waitlist_rank(mine) if mine else None,
        roster=roster,
        ranks={e.id: operations.waitlist_rank(e) for e in roster if e.waitlisted_at},
        action_form=ActionForm(),
        enroll_form=EnrollTeacherForm(),
        enrol_form=enrol_form or EnrolForm(formdata=None),
        can_manage=session.can_manage(current_user),
        now=utcnow(),
    ), status


def _back(session_id: int):
    return redirect(url_for("training.session_detail", session_id=session_id))


def _enrolled_message(enrollment: Enrollment) -> str:
    if enrollment.status == EnrollmentStatus.registered:
        return gettext("Enrolment confirmed: a place is reserved.")
    return gettext(
        "The session is full: you are number %(rank)s on the waitlist. You will be told by "
        "email if a place is freed.",
        rank=operations.waitlist_rank(enrollment),
    )


@bp.route("/formations/<int:session_id>/inscription", methods=["POST"])
@roles_required(Role.teacher)
def enroll(session_id: int):
    session = operations.get_session(current_user, session_id)
    form = EnrolForm()
    if not form.validate_on_submit():
        return _detail_page(session, form, 422)
    if current_user.teacher is None:
        flash(gettext("Your account has no teacher profile."), "error")
        return _back(session.id)
    with attempt() as outcome:
        enrollment = operations.enroll_teacher(
            current_user, session, current_user.teacher, form.already_uses_in_class.data
        )
    if outcome.ok:
        flash(_enrolled_message(enrollment), "success")
    return _back(session.id)


@bp.route("/formations/<int:session_id>/inscrire", methods=["POST"])
@roles_required(*MANAGING_ROLES)
def enroll_teacher(session_id: int):
    session = operations.get_session(current_user, session_id)
    form = EnrollTeacherForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(e) for e in errors), "error")
        return _back(session.id)
    with attempt() as outcome:
        teacher = operations.teacher_for_email(form.teacher_email.data)
        enrollment = operations.enroll_teacher(current_user, session, teacher)
    if outcome.ok:
        flash(
            gettext(
                "%(email)s is enrolled (%(status)s).",
                email=teacher.email,
                status=enrollment.status.label,
            ),
            "success",
        )
    return _back(session.id)


@bp.route(
    "/formations/<int:session_id>/inscriptions/<int:enrollment_id>/annulation", methods=["POST"]
)
@roles_required(Role.teacher, *MANAGING_ROLES)
def cancel_enrollment(session_id: int, enrollment_id: int):
    session = operations.get_session(current_user, session_id)
    enrollment = operations.find_enrollment(current_user, session, enrollment_id)
    if ActionForm().validate_on_submit():
        with attempt() as outcome:
            operations.cancel_enrollment(current_user, enrollment)
        if outcome.ok:
            flash(gettext("The enrolment is cancelled."), "success")
    return _back(session.id)


@bp.route("/formations/<int:session_id>/presences", methods=["POST"])
@roles_required(*MANAGING_ROLES)
def record_attendance(session_id: int):
    """The attendance table: a "present" and a "completed" box per teacher with a place."""
    session = operations.get_session(current_user, session_id)
    if not ActionForm().validate_on_submit():
        flash(gettext("The form expired. Please send it again."), "error")
        return _back(session.id)
    present = set(request.form.getlist("present"))
    completed = set(request.form.getlist("completed"))
    registered = db.session.scalars(
        operations.roster(session, status=EnrollmentStatus.registered)
    ).all()
    items = [
        {
            "teacher_email": enrollment.teacher.email,
            # Completing implies attending: the box "completed" alone counts as both.
            "attended": str(enrollment.id) in present or str(enrollment.id) in completed,
            "completed": str(enrollment.id) in completed,
        }
        for enrollment in registered
    ]
    with attempt() as outcome:
        changed = operations.record_attendance(current_user, session, items, source="page")
    if outcome.ok:
        flash(
            ngettext(
                "Attendance saved: %(num)s enrolment changed.",
                "Attendance saved: %(num)s enrolments changed.",
                changed,
            ),
            "success",
        )
    return _back(session.id)


@bp.route("/formations/<int:session_id>/annulation", methods=["POST"])
@roles_required(*MANAGING_ROLES)
def cancel_session(session_id: int):
    session = operations.get_session(current_user, session_id)
    if ActionForm().validate_on_submit():
        with attempt() as outcome:
            operations.cancel_session(current_user, session)
        if outcome.ok:
            flash(gettext("The session is cancelled; enrolled teachers are told by email."), "info")
    return _back(session.id)


@bp.route("/formations/nouvelle", methods=["GET", "POST"])
@roles_required(*MANAGING_ROLES)
def create_session():
    form = SessionForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            session = operations.create_session(current_user, form.values())
        if outcome.ok:
            flash(gettext("Session created, reference %(ref)s.", ref=session.reference), "success")
            return _back(session.id)
    return render_template("training/form.html", form=form, session=None), (
        422 if form.errors else 200
    )


@bp.route("/formations/<int:session_id>/modifier", methods=["GET", "POST"])
@roles_required(*MANAGING_ROLES)
def edit_session(session_id: int):
    session = operations.get_session(current_user, session_id)
    if request.method == "GET":
        form = SessionForm(
            current_solutions=session.solutions,
            data={
                "title": session.title,
                "solution_ids": [solution.id for solution in session.solutions],
                "format": session.format.value,
                "starts_at": session.starts_at.astimezone(PARIS).replace(tzinfo=None),
                "ends_at": session.ends_at.astimezone(PARIS).replace(tzinfo=None),
                "duration_hours": session.duration_hours,
                "capacity": session.capacity,
                "academy": session.academy,
                "location": session.location,
                "in_paf": session.in_paf,
            },
        )
    else:
        form = SessionForm(current_solutions=session.solutions)
        if form.validate_on_submit():
            values = form.values()
            if set(values["solution_ids"]) == {s.id for s in session.solutions}:
                del values["solution_ids"]  # unchanged: not checked against the catalogue again
            with attempt(form) as outcome:
                operations.update_session(current_user, session, values)
            if outcome.ok:
                flash(gettext("Session updated."), "success")
                return _back(session.id)
    return render_template("training/form.html", form=form, session=session), (
        422 if form.errors else 200
    )


@bp.route("/formations/import", methods=["GET", "POST"])
@roles_required(*MANAGING_ROLES)
def import_file():
    """Upload a file; its import runs on the worker, followed on the job's page."""
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        if not looks_like_csv(upload.stream):
            form.file.errors.append(gettext("This file is not a CSV file."))
        else:
            with attempt(form) as outcome:
                job = queue_attendance_import(current_user, upload.stream)
            if outcome.ok:
                return redirect(url_for("core.job_page", job_id=job.id), 303)
    locale = str(get_locale())
    limits = {
        "max_megabytes": IMPORT_MAX_BYTES // (1024 * 1024),
        "max_errors": format_decimal(MAX_REPORTED_ERRORS, locale=locale),
        "max_chars": format_decimal(MAX_LINE_CHARS, locale=locale),
    }
    return render_template("training/import.html", form=form, limits=limits), (
        422 if form.errors else 200
    )


@bp.route("/formations/import/modele.csv")
@roles_required(*MANAGING_ROLES)
def import_template():
    """The template of an attendance file: the columns accepted and an example line."""
    return Response(
        template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="modele-import-presences.csv"'},
    )


@bp.route("/formations/import/<int:job_id>/rejets.csv")
@roles_required(*MANAGING_ROLES)
def import_rejections(job_id: int):
    """The refused lines of an import (line, reason), as CSV for a spreadsheet."""
    job = visible_job(current_user, job_id)
    if job.kind != KIND or job.result is None:
        abort(404)
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 with a BOM
    writer = csv.writer(out, delimiter=";")
    writer.writerow([gettext("Line"), gettext("Reason")])
    writer.writerows([error["line"], error["message"]] for error in job.result["errors"])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="rejets-import-{job.id}.csv"'},
    )


add_nav_item(NavItem(40, "training.sessions_list", _l("Training"), prefix="/formations"))
add_workspace(Role.trainer, "training.sessions_list")
add_nav_item(
    NavItem(
        41,
        "training.import_file",
        _l("Attendance imports"),
        roles=MANAGING_ROLES,
        prefix="/formations/import",
    )
)


# --- Training paths (parcours) ---------------------------------------------------------------


@bp.route("/parcours")
@public
def paths_list():
    """Published paths for everyone; their drafts too for trainers and managers."""
    paths = db.session.scalars(operations.paths_visible_to(current_user)).all()
    return render_template(
        "training/paths.html",
        published=[p for p in paths if p.is_published],
        drafts=[p for p in paths if not p.is_published],
        can_design=designs_paths(current_user),
    )


@bp.route("/parcours/<int:path_id>")
@guarded_by("TrainingPath.can_read")
@public
def path_detail(path_id: int):
    path = operations.get_path(current_user, path_id)
    teacher = getattr(current_user, "teacher", None) if current_user.is_authenticated else None
    progress = operations.path_progress(teacher.id, [path])[0] if teacher is not None else None
    return render_template(
        "training/path_detail.html",
        path=path,
        progress=progress,
        action_form=ActionForm(),
        min_modules=operations.MIN_MODULES,
    )


def _path_form_page(form: PathForm, path=None, refused: bool = False):
    """The form again: 422 with wrong fields, 409 when the path's state refused the change."""
    status = 200
    if form.errors or any(row.errors for row in form.modules):
        status = 422
    elif refused:
        status = 409
    return render_template("training/path_form.html", form=form, path=path), status


def _save_path(form: PathForm, save):
    with attempt(form) as outcome:
        try:
            path = save(form.values())
        except Invalid as error:
            form.place_module_errors(error)
            raise
    return path if outcome.ok else None


@bp.route("/parcours/nouveau", methods=["GET", "POST"])
@roles_required(*MANAGING_ROLES)
def create_path():
    form = PathForm()
    if form.validate_on_submit():
        path = _save_path(form, lambda values: operations.create_path(current_user, values))
        if path is not None:
            flash(gettext("Training path created (draft)."), "success")
            return redirect(url_for("training.path_detail", path_id=path.id))
        return _path_form_page(form, refused=request.method == "POST")
    return _path_form_page(form)


@bp.route("/parcours/<int:path_id>/modifier", methods=["GET", "POST"])
@roles_required(*MANAGING_ROLES)
def edit_path(path_id: int):
    path = operations.get_path(current_user, path_id)
    solutions = [module.solution for module in path.modules]
    if request.method == "GET":
        rows = [{"solution_id": str(m.solution_id), "title": m.title} for m in path.modules]
        form = PathForm(
            current_solutions=solutions,
            data={"title": path.title, "description": path.description, "modules": rows},
        )
    else:
        form = PathForm(current_solutions=solutions)
        if form.validate_on_submit():
            saved = _save_path(
                form, lambda values: operations.update_path(current_user, path, values)
            )
            if saved is not None:
                flash(gettext("Training path updated."), "success")
                return redirect(url_for("training.path_detail", path_id=path.id))
            return _path_form_page(form, path, refused=True)
    return _path_form_page(form, path)


@bp.route("/parcours/<int:path_id>/publication", methods=["POST"])
@roles_required(Role.manager)
def publish_path(path_id: int):
    path = operations.get_path(current_user, path_id)
    if ActionForm().validate_on_submit():
        with attempt() as outcome:
            operations.publish_path(current_user, path)
        if outcome.ok:
            flash(gettext("The training path is published."), "success")
    return redirect(url_for("training.path_detail", path_id=path_id))


@bp.route("/parcours/<int:path_id>/suppression", methods=["POST"])
@roles_required(*MANAGING_ROLES)
def delete_path(path_id: int):
    path = operations.get_path(current_user, path_id)
    if ActionForm().validate_on_submit():
        with attempt() as outcome:
            operations.delete_path(current_user, path)
        if outcome.ok:
            flash(gettext("The draft training path is deleted."), "success")
            return redirect(url_for("training.paths_list"))
    return redirect(url_for("training.path_detail", path_id=path_id))


add_nav_item(NavItem(42, "training.paths_list", _l("Training paths"), prefix="/parcours"))
