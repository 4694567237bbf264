"""Training API: sessions, enrolments, attendance and attendance imports (API.md, "Training")."""

from __future__ import annotations

from flask import request
from flask_babel import gettext
from flask_login import current_user

from accelerator.accounts.models import Role
from accelerator.core.api import api, json_body, load, paginate
from accelerator.core.errors import Invalid
from accelerator.core.jobs import job_summary
from accelerator.core.openapi import documented
from accelerator.core.permissions import guarded_by, public, roles_required
from accelerator.core.problems import problem
from accelerator.core.schemas import JobAcceptedOut
from accelerator.extensions import db
from accelerator.training import operations
from accelerator.training.imports import looks_like_csv, queue_attendance_import
from accelerator.training.models import MANAGING_ROLES
from accelerator.training.schemas import (
    AttendanceItemIn,
    AttendanceOut,
    EnrollmentIn,
    EnrollmentOut,
    PathOut,
    SessionFiltersIn,
    SessionIn,
    SessionOut,
    filters_from,
)

session_out = SessionOut()
#: The import's request: one CSV file in a multipart form.
IMPORT_BODY = {
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "properties": {"file": {"type": "string", "format": "binary"}},
            "required": ["file"],
        }
    }
}
enrollment_out = EnrollmentOut()


@api.post("/training/sessions")
@roles_required(*MANAGING_ROLES)
@documented(body=SessionIn, response=SessionOut, status=201)
def create_training_session():
    """Create a session on catalogue solutions (trainer, manager).

    A start in the past answers 422. Its reference, CANOPE-<year>-<id>, is what attendance
    imports name.
    """
    data = load(SessionIn(), json_body())
    session = operations.create_session(current_user, data)
    return session_out.dump(session), 201


@api.get("/training/sessions")
@public
@documented(query=SessionFiltersIn, response=SessionOut, paginated=True)
def list_training_sessions():
    """Scheduled sessions: to come, soonest first (default), or ``when=past|all``."""
    args = {
        key: value
        for key, value in request.args.items()
        if key not in ("page", "per_page") and value != ""
    }
    filters = filters_from(load(SessionFiltersIn(), args))
    statement = operations.sessions_to_come(current_user, filters)
    return paginate(statement, lambda rows: session_out.dump(rows, many=True))


@api.get("/training/sessions/<int:session_id>")
@public
@documented(response=SessionOut)
def get_training_session(session_id: int):
    """A session (cancelled ones stay readable, as cancelled)."""
    return session_out.dump(operations.get_session(current_user, session_id))


@api.patch("/training/sessions/<int:session_id>")
@roles_required(*MANAGING_ROLES)
@documented(body=SessionIn, response=SessionOut, errors=(409,))
def update_training_session(session_id: int):
    """Change some fields of a scheduled session (trainer, manager).

    A raised capacity moves the first teachers of the waitlist up (told by email); a start
    moved into the past answers 422.
    """
    session = operations.get_session(current_user, session_id)
    data = load(SessionIn(), json_body(), partial=True)
    operations.update_session(current_user, session, data)
    return session_out.dump(session)


@api.post("/training/sessions/<int:session_id>/cancel")
@roles_required(*MANAGING_ROLES)
@documented(response=SessionOut, errors=(409,))
def cancel_training_session(session_id: int):
    """Cancel a session; enrolled teachers are told by email (trainer, manager)."""
    session = operations.get_session(current_user, session_id)
    operations.cancel_session(current_user, session)
    return session_out.dump(session)


@api.get("/training/sessions/<int:session_id>/enrollments")
@roles_required(*MANAGING_ROLES)
@documented(response=EnrollmentOut, paginated=True)
def list_enrollments(session_id: int):
    """Every enrolment of a session, with status and attendance (trainer, manager)."""
    session = operations.get_session(current_user, session_id)
    return paginate(operations.roster(session), lambda rows: enrollment_out.dump(rows, many=True))


@api.post("/training/sessions/<int:session_id>/enrollments")
@roles_required(Role.teacher, *MANAGING_ROLES)
@documented(body=EnrollmentIn, response=EnrollmentOut, status=201, errors=(409,))
def enroll(session_id: int):
    """Enrol in a session: a place when one is left, else a rank on the waitlist.

    A teacher enrols themself; a trainer or manager enrols ``teacher_email``.
    ``already_uses_in_class`` (optional) answers "do you already use this solution in class?".
    """
    data = load(EnrollmentIn(), json_body() if request.get_data() else {})
    session = operations.get_session(current_user, session_id)
    if current_user.role == Role.teacher:
        teacher = current_user.teacher
        if teacher is None or (
            data["teacher_email"]
            and operations.normalize_email(data["teacher_email"]) != teacher.email
        ):
            return problem(403, detail=gettext("A teacher enrols only themself."))
    else:
        if not data["teacher_email"]:
            message = gettext("Give the email address of the teacher to enrol.")
            raise Invalid(message, {"teacher_email": [message]})
        teacher = operations.teacher_for_email(data["teacher_email"])
    enrollment = operations.enroll_teacher(
        current_user, session, teacher, data["already_uses_in_class"]
    )
    return enrollment_out.dump(enrollment), 201


@api.delete("/training/sessions/<int:session_id>/enrollments/<int:enrollment_id>")
@roles_required(Role.teacher, *MANAGING_ROLES)
@documented(status=204, errors=(409,))
def cancel_enrollment(session_id: int, enrollment_id: int):
    """Cancel an enrolment (the teacher themself, a trainer or manager).

    The first teacher of the waitlist moves up and is told by email.
    """
    session = operations.get_session(current_user, session_id)
    enrollment = operations.find_enrollment(current_user, session, enrollment_id)
    operations.cancel_enrollment(current_user, enrollment)
    return "", 204


@api.put("/training/sessions/<int:session_id>/attendance")
@roles_required(*MANAGING_ROLES)
@documented(body=AttendanceItemIn(many=True), response=AttendanceOut, errors=(409,))
def record_attendance(session_id: int):
    """Take attendance for the session (trainer, manager).

    ``[{teacher_email, attended, completed}]``; idempotent, all or nothing (422 by item
    index). Completion issues the attestation, its withdrawal revokes it.
    """
    session = operations.get_session(current_user, session_id)
    items = load(AttendanceItemIn(many=True), json_body(list))
    changed = operations.record_attendance(current_user, session, items, source="api")
    rows = db.session.scalars(operations.roster(session)).all()
    return AttendanceOut().dump({"changed": changed, "enrollments": rows})


@api.post("/training/imports")
@roles_required(*MANAGING_ROLES)
@documented(body=IMPORT_BODY, response=JobAcceptedOut, status=202, errors=(415, 422))
def import_attendance_file():
    """Import an attendance CSV from a training platform (trainer, manager).

    Multipart field file: an attendance CSV from a training platform (format in the README),
    imported by the worker: 202 with the job (Location: its URL), whose result is the report
    """
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        message = gettext("Choose a CSV file to import.")
        raise Invalid(message, {"file": [message]})
    if not looks_like_csv(upload.stream):
        return problem(415, detail=gettext("This file is not a CSV file."))
    job = queue_attendance_import(current_user, upload.stream)
    summary = job_summary(job)
    return {"job": summary}, 202, {"Location": summary["url"]}


@api.get("/training/paths")
@public
@documented(response=PathOut, paginated=True)
def list_training_paths():
    """Training paths: the published ones (and the drafts, for trainers and managers).

    A path is made of modules; each is satisfied by completing any session on its solution.
    """
    return paginate(
        operations.paths_visible_to(current_user), lambda rows: PathOut(many=True).dump(rows)
    )


@api.get("/training/paths/<int:path_id>")
@guarded_by("TrainingPath.can_read")
@public
@documented(response=PathOut)
def get_training_path(path_id: int):
    """A training path and its modules (a draft answers 404 to whoever does not design paths)."""
    return PathOut().dump(operations.get_path(current_user, path_id))
