"""Training API: sessions, enrolments, attendance and attendance imports (API.md, "Training")."""

from __future__ import annotations

from flask import request
from flask_babel import gettext
from flask_login import current_user

from accelerator.accounts.models import Role
from accelerator.core.api import api, json_body, load, paginate
from accelerator.core.errors import Invalid
from accelerator.core.permissions import public, roles_required
from accelerator.core.problems import problem
from accelerator.extensions import db
from accelerator.training import operations
from accelerator.training.imports import import_attendance, looks_like_csv
from accelerator.training.models import MANAGING_ROLES
from accelerator.training.schemas import (
    AttendanceItemIn,
    AttendanceOut,
    EnrollmentIn,
    EnrollmentOut,
    ImportReportOut,
    SessionFiltersIn,
    SessionIn,
    SessionOut,
    filters_from,
)

session_out = SessionOut()
enrollment_out = EnrollmentOut()


@api.post("/training/sessions")
@roles_required(*MANAGING_ROLES)
def create_training_session():
    """Create a training session.
    ---
    post:
      summary: A session on catalogue solutions (trainer, manager)
      tags: [training]
      responses:
        201: {description: "The session, with its reference (CANOPE-<year>-<id>)"}
        422: {description: Invalid fields, or a solution not in the catalogue}
    """
    data = load(SessionIn(), json_body())
    session = operations.create_session(current_user, data)
    return session_out.dump(session), 201


@api.get("/training/sessions")
@public
def list_training_sessions():
    """Sessions to come.
    ---
    get:
      summary: Scheduled sessions to come, soonest first (public)
      tags: [training]
      security: []
      parameters:
        - {name: solution, in: query, schema: {type: integer}}
        - {name: academy, in: query, schema: {type: string}}
        - {name: format, in: query, schema: {type: string, enum: [in_person, remote, hybrid]}}
        - {name: from, in: query, schema: {type: string, format: date}}
        - {name: to, in: query, schema: {type: string, format: date}}
        - {name: page, in: query, schema: {type: integer, minimum: 1}}
        - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
      responses:
        200: {description: A page of sessions}
        422: {description: An invalid filter}
    """
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
def get_training_session(session_id: int):
    """One session.
    ---
    get:
      summary: A session (public while scheduled)
      tags: [training]
      security: []
      responses:
        200: {description: The session}
        404: {description: Unknown or not visible}
    """
    return session_out.dump(operations.get_session(current_user, session_id))


@api.patch("/training/sessions/<int:session_id>")
@roles_required(*MANAGING_ROLES)
def update_training_session(session_id: int):
    """Edit a session.
    ---
    patch:
      summary: Change some fields of a scheduled session (trainer, manager)
      tags: [training]
      responses:
        200: {description: The session}
        409: {description: The session is cancelled}
        422: {description: Invalid fields}
    """
    session = operations.get_session(current_user, session_id)
    data = load(SessionIn(), json_body(), partial=True)
    operations.update_session(current_user, session, data)
    return session_out.dump(session)


@api.post("/training/sessions/<int:session_id>/cancel")
@roles_required(*MANAGING_ROLES)
def cancel_training_session(session_id: int):
    """Cancel a session.
    ---
    post:
      summary: Cancel a session; enrolled teachers are told by email (trainer, manager)
      tags: [training]
      responses:
        200: {description: The cancelled session}
        409: {description: Already cancelled}
    """
    session = operations.get_session(current_user, session_id)
    operations.cancel_session(current_user, session)
    return session_out.dump(session)


@api.get("/training/sessions/<int:session_id>/enrollments")
@roles_required(*MANAGING_ROLES)
def list_enrollments(session_id: int):
    """Enrolments of a session.
    ---
    get:
      summary: Every enrolment of a session, with status and attendance (trainer, manager)
      tags: [training]
      responses:
        200: {description: A page of enrolments}
    """
    session = operations.get_session(current_user, session_id)
    return paginate(operations.roster(session), lambda rows: enrollment_out.dump(rows, many=True))


@api.post("/training/sessions/<int:session_id>/enrollments")
@roles_required(Role.teacher, *MANAGING_ROLES)
def enroll(session_id: int):
    """Enrol in a session.
    ---
    post:
      summary: A teacher enrols themself; a trainer or manager enrols {teacher_email}
      tags: [training]
      responses:
        201: {description: "{id, status: registered | waitlisted, waitlist_rank}"}
        409: {description: Already enrolled, or the session is cancelled or past}
        422: {description: Invalid email (or not academic for an unknown teacher)}
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
    enrollment = operations.enroll_teacher(current_user, session, teacher)
    return enrollment_out.dump(enrollment), 201


@api.delete("/training/sessions/<int:session_id>/enrollments/<int:enrollment_id>")
@roles_required(Role.teacher, *MANAGING_ROLES)
def cancel_enrollment(session_id: int, enrollment_id: int):
    """Cancel an enrolment.
    ---
    delete:
      summary: Cancel an enrolment (the teacher themself, a trainer or manager); the first
        teacher of the waitlist moves up and is told by email
      tags: [training]
      responses:
        204: {description: Cancelled}
        404: {description: Unknown, or another teacher's enrolment}
        409: {description: Already cancelled, or the session started or was cancelled}
    """
    session = operations.get_session(current_user, session_id)
    enrollment = operations.find_enrollment(current_user, session, enrollment_id)
    operations.cancel_enrollment(current_user, enrollment)
    return "", 204


@api.put("/training/sessions/<int:session_id>/attendance")
@roles_required(*MANAGING_ROLES)
def record_attendance(session_id: int):
    """Take attendance.
    ---
    put:
      summary: "[{teacher_email, attended, completed}] for the session (trainer, manager);
        idempotent, all or nothing"
      tags: [training]
      responses:
        200: {description: "{changed, enrollments}"}
        409: {description: The session is cancelled or has not started}
        422: {description: "Errors by item index: unknown or not enrolled teacher, completed
          without attended"}
    """
    session = operations.get_session(current_user, session_id)
    items = load(AttendanceItemIn(many=True), json_body(list))
    changed = operations.record_attendance(current_user, session, items, source="api")
    rows = db.session.scalars(operations.roster(session)).all()
    return AttendanceOut().dump({"changed": changed, "enrollments": rows})


@api.post("/training/imports")
@roles_required(*MANAGING_ROLES)
def import_attendance_file():
    """Import an attendance CSV.
    ---
    post:
      summary: "Multipart field file: an attendance CSV from a training platform (format in
        the README); the good lines are imported, the bad ones reported"
      tags: [training]
      responses:
        200: {description: "{imported, unchanged, errors: [{line, message}]}"}
        415: {description: Not a text file}
        422: {description: No file}
    """
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        message = gettext("Choose a CSV file to import.")
        raise Invalid(message, {"file": [message]})
    if not looks_like_csv(upload.stream):
        return problem(415, detail=gettext("This file is not a CSV file."))
    report = import_attendance(current_user, upload.stream)
    return ImportReportOut().dump(report.as_dict())
