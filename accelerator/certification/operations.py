"""Certification's rules: feedback on sessions, attestations de formation and their
verification, and a teacher's training records ("Mes formations").

Operations check who acts on what and in which state, write, and raise domain errors; the
pages (``views``) and the API (``api``) leave the commit to the end of the request.
Attestations follow completion and nothing else: training announces every change of
attendance (page, API, imports) with ``training.signals.attendance_changed``, and
``sync_certificates`` issues, withdraws or reinstates them in the same transaction. Reading
never issues one.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import Select, distinct, false, func, literal, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from accelerator.accounts.models import Role, TeacherProfile, User
from accelerator.audits.queries import lapsed_solution_ids
from accelerator.certification.models import (
    Certificate,
    Feedback,
    FollowUpAnswer,
    PathCertificate,
)
from accelerator.core.db import UTCDateTime, among, utcnow
from accelerator.core.errors import Conflict, Invalid, NotFound
from accelerator.extensions import db
from accelerator.training.models import (
    Enrollment,
    EnrollmentStatus,
    PathModule,
    PathStatus,
    TrainingPath,
    TrainingSession,
    session_solution,
)
from accelerator.training.operations.paths import (
    PathProgress,
    module_counts,
    path_progress,
    published_paths,
)
from accelerator.training.signals import attendance_changed, path_published

#: Crockford's base 32: no I, L, O or U, so a code read aloud or retyped stays unambiguous.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: 16 characters of 5 bits: 80 random bits, beyond guessing.
CODE_LENGTH = 16
RATING_MIN, RATING_MAX = 1, 5
COMMENT_MAX = 2000


def teacher_of(user: User | None) -> TeacherProfile | None:
    if user is None or not user.is_authenticated or user.role != Role.teacher:
        return None
    return user.teacher


# --- Feedback ------------------------------------------------------------------------------


def own_enrollment(user: User, session_id: int) -> Enrollment:
    """The caller's enrolment in the session; NotFound when there is none."""
    teacher = teacher_of(user)
    enrollment = (
        db.session.scalar(
            select(Enrollment)
            .where(Enrollment.session_id == session_id, Enrollment.teacher_id == teacher.id)
            .options(joinedload(Enrollment.session))
        )
        if teacher is not None
        else None
    )
    if enrollment is None:
        raise NotFound(gettext("You have no enrolment in this session."))
    return enrollment


def can_rate(enrollment: Enrollment) -> bool:
    """Only a teacher who attended rates the session (completion implies attendance)."""
    return enrollment.attended or enrollment.completed


def rate_session(user: User, session_id: int, rating: int, comment: str = "") -> Feedback:
    """Record the teacher's rating (1 to 5) of a session they attended; once only."""
    return record_feedback(own_enrollment(user, session_id), rating, comment)


def record_feedback(enrollment: Enrollment, rating: int, comment: str = "") -> Feedback:
    """The satisfaction questionnaire's answer for an enrolment whose teacher attended
    (from "Mes formations", the API or the emailed questionnaire); once only."""
    if not can_rate(enrollment):
        raise Conflict(gettext("You can rate a session once you have attended it."))
    if not isinstance(rating, int) or not RATING_MIN <= rating <= RATING_MAX:
        raise Invalid(
            gettext("Some fields are invalid."),
            {"rating": [gettext("Give a rating from 1 to 5.")]},
        )
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise Invalid(
            gettext("Some fields are invalid."),
            {"comment": [gettext("At most %(max)s characters.", max=COMMENT_MAX)]},
        )
    if feedback_of(enrollment) is not None:
        raise Conflict(gettext("You have already rated this session."))
    feedback = Feedback(enrollment=enrollment, rating=rating, comment=comment)
    try:
        # The unique enrollment_id settles two simultaneous submissions.
        with db.session.begin_nested():
            db.session.add(feedback)
    except IntegrityError:
        raise Conflict(gettext("You have already rated this session.")) from None
    return feedback


def feedback_of(enrollment: Enrollment) -> Feedback | None:
    return db.session.scalar(select(Feedback).where(Feedback.enrollment_id == enrollment.id))


def follow_up_of(enrollment: Enrollment) -> FollowUpAnswer | None:
    return db.session.scalar(
        select(FollowUpAnswer).where(FollowUpAnswer.enrollment_id == enrollment.id)
    )


def record_follow_up(enrollment: Enrollment, used_in_class: bool) -> FollowUpAnswer:
    """The follow-up questionnaire's answer ("have you used it in class since the
    training?") of an enrolment whose teacher attended; once only."""
    if not can_rate(enrollment):
        raise Conflict(gettext("The follow-up questionnaire is for teachers who attended."))
    if not isinstance(used_in_class, bool):
        message = gettext("Answer yes or no.")
        raise Invalid(gettext("Some fields are invalid."), {"used_in_class": [message]})
    if follow_up_of(enrollment) is not None:
        raise Conflict(gettext("You have already answered this questionnaire."))
    answer = FollowUpAnswer(enrollment=enrollment, used_in_class=used_in_class)
    try:
        # The unique enrollment_id settles two simultaneous submissions.
        with db.session.begin_nested():
            db.session.add(answer)
    except IntegrityError:
        raise Conflict(gettext("You have already answered this questionnaire.")) from None
    return answer


# --- Certificates --------------------------------------------------------------------------


#: the two characters of Crockford's base 32 for each 10 bits (an import draws thousands of
#: codes: a lookup per 10 bits, where base64.b32encode loops in Python per 5)
_PAIRS = [first + second for first in CODE_ALPHABET for second in CODE_ALPHABET]


def new_code() -> str:
    """A verification code: 80 bits from the system's CSPRNG, in 16 characters of
    Crockford's base 32 (the first bits first, as base 32 reads them), dashed every 4."""
    n = int.from_bytes(secrets.token_bytes(5 * CODE_LENGTH // 8))
    pairs = _PAIRS
    return (
        f"{pairs[n >> 70]}{pairs[(n >> 60) & 1023]}-{pairs[(n >> 50) & 1023]}"
        f"{pairs[(n >> 40) & 1023]}-{pairs[(n >> 30) & 1023]}{pairs[(n >> 20) & 1023]}-"
        f"{pairs[(n >> 10) & 1023]}{pairs[n & 1023]}"
    )


#: On PostgreSQL a code is drawn by the server: 16 characters from the 5 low bits of 16
#: bytes that are wholly random in two ``gen_random_uuid()`` (a version 4 UUID fixes the high
#: bits of its bytes 6 and 8), which PostgreSQL draws from its strong random source
#: (``pg_strong_random``, the system's CSPRNG): 80 bits, as ``new_code``.
_UUID_RANDOM_BYTES = (0, 1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 13, 14, 15)


def _server_code(first, second):
    """The SQL expression of a code from two UUIDs as bytes (PostgreSQL)."""
    sources = [(first, i) for i in _UUID_RANDOM_BYTES] + [(second, 0), (second, 1)]
    chars = [
        func.substr(CODE_ALPHABET, func.get_byte(column, i).op("&")(31) + 1, 1)
        for column, i in sources
    ]
    parts = []
    for index, char in enumerate(chars):
        if index and index % 4 == 0:
            parts.append(literal("-"))
        parts.append(char)
    return func.concat(*parts)


def _issue_missing(candidates: Select, now, bulk: bool) -> None:
    """Issue, in one INSERT ... SELECT, an attestation to each enrolment of ``candidates``
    (a select of enrolment ids) that has none: codes are drawn row by row by the database
    (PostgreSQL) or by ``new_code`` registered as an SQL function (SQLite). In ``bulk``
    (imports), an attestation issued meanwhile by another transaction is kept (ON CONFLICT
    DO NOTHING); otherwise the unique enrolment raises, which the request reports."""
    connection = db.session.connection()
    ids = candidates.subquery()
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert

        drawn = (
            select(
                ids.c.id,
                func.uuid_send(func.gen_random_uuid()).label("first"),
                func.uuid_send(func.gen_random_uuid()).label("second"),
            )
            .offset(0)  # drawn once per row: the subquery is not folded into the outer one
            .subquery()
        )
        source = select(
            drawn.c.id, _server_code(drawn.c.first, drawn.c.second), literal(now, UTCDateTime())
        )
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert

        connection.connection.driver_connection.create_function("certificate_code", 0, new_code)
        source = select(ids.c.id, func.certificate_code(), literal(now, UTCDateTime())).where(
            true()  # SQLite reads ON CONFLICT after a SELECT only past a WHERE
        )
    statement = dialect_insert(Certificate).from_select(
        ["enrollment_id", "code", "issued_at"], source
    )
    if bulk:
        statement = statement.on_conflict_do_nothing(index_elements=["enrollment_id"])
    db.session.execute(statement)


def normalize_code(code: str) -> str | None:
    """The stored form of a code typed by someone: upper case, dashes every 4 characters;
    None when it cannot be one of ours."""
    raw = re.sub(r"[\s-]", "", code or "").upper()
    raw = raw.translate(str.maketrans("ILO", "110"))  # Crockford's reading of look-alikes
    if len(raw) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in raw):
        return None
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def _certificate_of(enrollment: Enrollment) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.enrollment_id == enrollment.id))


def issue_certificate(enrollment: Enrollment) -> Certificate:
    """The enrolment's attestation, issued once: calling again returns the same one (and
    reinstates it if completion had been withdrawn then recorded again)."""
    if not enrollment.completed:
        raise Conflict(gettext("An attestation is issued once the training is completed."))
    certificate = _certificate_of(enrollment)
    if certificate is None:
        certificate = Certificate(enrollment=enrollment, code=new_code(), issued_at=utcnow())
        try:
            with db.session.begin_nested():
                db.session.add(certificate)
        except IntegrityError:
            # Issued meanwhile by another request: the unique enrollment_id keeps one.
            certificate = _certificate_of(enrollment)
    elif certificate.revoked_at is not None:
        certificate.revoked_at = None
    return certificate


def sync_certificates(enrollment_ids=(), enrollments: Select | None = None) -> None:
    """Bring the attestations of these enrolments in line with their completion, in bulk
    (attendance pages, API and imports call it): one for each completed enrolment (issued,
    or reinstated), none in force where completion was withdrawn.

    The enrolments are ``enrollment_ids``, or ``enrollments``, a select of their ids (an
    import's lines): set-based statements, whatever their number."""
    if enrollments is not None:
        chosen = Enrollment.id.in_(enrollments)
    else:
        enrollment_ids = list(set(enrollment_ids))
        if not enrollment_ids:
            return
        chosen = among(Enrollment.id, enrollment_ids)
    now = utcnow()
    completed = select(Enrollment.id).where(chosen, Enrollment.completed.is_(True))
    withdrawn = select(Enrollment.id).where(chosen, Enrollment.completed.is_(False))
    db.session.execute(
        update(Certificate)
        .where(Certificate.enrollment_id.in_(withdrawn), Certificate.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.execute(
        update(Certificate)
        .where(Certificate.enrollment_id.in_(completed), Certificate.revoked_at.is_not(None))
        .values(revoked_at=None)
    )
    missing = completed.where(
        ~select(Certificate.id).where(Certificate.enrollment_id == Enrollment.id).exists()
    )
    _issue_missing(missing, now, bulk=enrollments is not None)


@attendance_changed.connect
def _follow_attendance(sender, enrollment_ids=(), enrollments=None, **extra) -> None:
    sync_certificates(enrollment_ids, enrollments)


def revoke_certificate(enrollment: Enrollment) -> Certificate | None:
    """Withdraw the attestation of an enrolment whose completion was withdrawn."""
    certificate = _certificate_of(enrollment)
    if certificate is not None and certificate.revoked_at is None:
        certificate.revoked_at = utcnow()
    return certificate


# What every page, download and verification of a document reads: loaded with it, once.
_ATTESTATION_LOADS = (
    joinedload(Certificate.enrollment)
    .joinedload(Enrollment.session)
    .selectinload(TrainingSession.solutions),
    joinedload(Certificate.enrollment).joinedload(Enrollment.teacher),
)
_PATH_CERTIFICATE_LOADS = (
    joinedload(PathCertificate.path)
    .selectinload(TrainingPath.modules)
    .joinedload(PathModule.solution),
    joinedload(PathCertificate.teacher),
)


def _owned_by(statement: Select, user: User | None, teacher_column) -> Select:
    """``statement`` narrowed to the documents of ``user``'s teacher profile (none for
    anyone else)."""
    teacher = teacher_of(user)
    return statement.where(false() if teacher is None else teacher_column == teacher.id)


def _one_of(statement: Select, missing: str):
    document = db.session.scalar(statement)
    if document is None:
        raise NotFound(missing)
    return document


def _by_code(model, loads: tuple, code: str):
    """The document of ``model`` bearing ``code`` (typed any way), or None."""
    normalized = normalize_code(code)
    if not normalized:
        return None
    return db.session.scalar(select(model).where(model.code == normalized).options(*loads))


def certificates_visible_to(user: User | None) -> Select:
    """Certificates ``user`` may download: a teacher's own, nobody else's."""
    statement = (
        select(Certificate)
        .join(Enrollment, Enrollment.id == Certificate.enrollment_id)
        .options(*_ATTESTATION_LOADS)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )
    return _owned_by(statement, user, Enrollment.teacher_id)


def own_certificate(user: User, certificate_id: int) -> Certificate:
    statement = certificates_visible_to(user).where(Certificate.id == certificate_id)
    return _one_of(statement, gettext("No such attestation."))


def verify_certificate(code: str) -> Certificate:
    """The certificate bearing ``code``; NotFound for an unknown or forged code."""
    certificate = _by_code(Certificate, _ATTESTATION_LOADS, code)
    if certificate is None:
        raise NotFound(gettext("No attestation bears this code."))
    return certificate


def full_name(teacher: TeacherProfile) -> str:
    """The teacher's name as printed on their own attestation."""
    if teacher.first_name or teacher.last_name:
        return " ".join(part for part in (teacher.first_name, teacher.last_name) if part)
    if teacher.user is not None:
        return teacher.user.full_name
    return teacher.email.split("@")[0]


def public_name(teacher: TeacherProfile) -> str:
    """What a public verification reveals (data minimisation): the first name and the
    initial of the last name, e.g. "Camille M."."""
    first, last = teacher.first_name, teacher.last_name
    if not first and not last and teacher.user is not None:
        first, _, last = teacher.user.full_name.strip().partition(" ")
    if not first:
        return f"{last[:1].upper()}." if last else "—"
    return f"{first} {last[:1].upper()}." if last else first


# --- A teacher's sessions ------------------------------------------------------------------


@dataclass
class TrainingRecord:
    """One line of "Mes formations"."""

    enrollment: Enrollment
    feedback: Feedback | None
    certificate: Certificate | None
    approval_lapsed: bool

    @property
    def session(self) -> TrainingSession:
        return self.enrollment.session

    @property
    def can_rate(self) -> bool:
        return self.feedback is None and can_rate(self.enrollment)


def training_records(user: User) -> tuple[list[TrainingRecord], list[TrainingRecord]]:
    """The teacher's coming and past sessions (cancelled enrolments left out), with their
    feedback, certificate and whether the solutions' approval has lapsed."""
    teacher = teacher_of(user)
    if teacher is None:
        return [], []
    enrollments = db.session.scalars(
        select(Enrollment)
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .where(
            Enrollment.teacher_id == teacher.id,
            Enrollment.status != EnrollmentStatus.cancelled,
        )
        .options(joinedload(Enrollment.session).selectinload(TrainingSession.solutions))
        .order_by(TrainingSession.starts_at)
    ).all()
    ids = [enrollment.id for enrollment in enrollments]
    feedbacks = {
        f.enrollment_id: f
        for f in db.session.scalars(select(Feedback).where(Feedback.enrollment_id.in_(ids)))
    }
    certificates = {
        c.enrollment_id: c
        for c in db.session.scalars(select(Certificate).where(Certificate.enrollment_id.in_(ids)))
    }
    all_solutions = {s.id for e in enrollments for s in e.session.solutions}
    lapsed = lapsed_solution_ids(all_solutions)
    now = utcnow()
    coming, past = [], []
    for enrollment in enrollments:
        solution_ids = {s.id for s in enrollment.session.solutions}
        record = TrainingRecord(
            enrollment=enrollment,
            feedback=feedbacks.get(enrollment.id),
            certificate=certificates.get(enrollment.id),
            approval_lapsed=bool(solution_ids) and solution_ids <= lapsed,
        )
        (coming if enrollment.session.ends_at > now else past).append(record)
    past.reverse()  # most recent first
    return coming, past


# --- Path certificates -----------------------------------------------------------------------
#
# A teacher who completed every module of a published path holds one path certificate (the
# pair is unique in the database). It follows completion as attestations do: issued when the
# last module is completed (page, API, import: ``attendance_changed``; or when the path is
# published: ``path_published``), revoked when a completion is withdrawn and the module is
# no longer satisfied, reinstated (the same code) when it is again. Reading never issues one.


def completed_paths(teacher_ids=None, path_ids=None) -> Select:
    """(path_id, teacher_id) of the published paths whose every module the teacher
    completed (a completed enrolment in a session on the module's solution)."""
    modules = module_counts()
    statement = (
        select(PathModule.path_id, Enrollment.teacher_id)
        .join(TrainingPath, TrainingPath.id == PathModule.path_id)
        .join(modules, modules.c.path_id == PathModule.path_id)
        .join(session_solution, session_solution.c.solution_id == PathModule.solution_id)
        .join(Enrollment, Enrollment.session_id == session_solution.c.session_id)
        .where(Enrollment.completed.is_(True), TrainingPath.status == PathStatus.published)
        .group_by(PathModule.path_id, Enrollment.teacher_id, modules.c.modules)
        .having(func.count(distinct(PathModule.id)) == modules.c.modules)
    )
    if teacher_ids is not None:
        statement = statement.where(among(Enrollment.teacher_id, teacher_ids))
    if path_ids is not None:
        statement = statement.where(among(PathModule.path_id, path_ids))
    return statement


def sync_path_certificates(teacher_ids=None, path_ids=None) -> int:
    """Bring the path certificates of these teachers (or of these paths; None: all) in line
    with their completions: one in force for each path completed, none in force for a path
    no longer completed. Concurrent requests insert with ``ON CONFLICT DO NOTHING`` on the
    unique (path, teacher): whoever comes second keeps the first one's certificate. Returns
    how many were issued."""
    if teacher_ids is not None:
        teacher_ids = sorted(set(teacher_ids))
        if not teacher_ids:
            return 0
    complete = {tuple(row) for row in db.session.execute(completed_paths(teacher_ids, path_ids))}
    existing = select(
        PathCertificate.id,
        PathCertificate.path_id,
        PathCertificate.teacher_id,
        PathCertificate.revoked_at,
    )
    if teacher_ids is not None:
        existing = existing.where(among(PathCertificate.teacher_id, teacher_ids))
    if path_ids is not None:
        existing = existing.where(among(PathCertificate.path_id, list(path_ids)))
    rows = db.session.execute(existing).all()
    now = utcnow()
    revoke = [id_ for id_, p, t, revoked in rows if revoked is None and (p, t) not in complete]
    reinstate = [id_ for id_, p, t, revoked in rows if revoked is not None and (p, t) in complete]
    if revoke:
        db.session.execute(
            update(PathCertificate).where(among(PathCertificate.id, revoke)).values(revoked_at=now)
        )
    if reinstate:
        db.session.execute(
            update(PathCertificate)
            .where(among(PathCertificate.id, reinstate))
            .values(revoked_at=None)
        )
    missing = sorted(complete - {(p, t) for _, p, t, _ in rows})
    if not missing:
        return 0
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    issued = db.session.scalars(
        dialect.insert(PathCertificate)
        .on_conflict_do_nothing(index_elements=["path_id", "teacher_id"])
        .returning(PathCertificate.id),
        [{"path_id": p, "teacher_id": t, "code": new_code(), "issued_at": now} for p, t in missing],
    ).all()
    return len(issued)


@attendance_changed.connect
def _follow_attendance_on_paths(sender, enrollment_ids=(), enrollments=None, **extra) -> None:
    if enrollments is not None:
        # An import (any number of enrolments): with no published path and no path
        # certificate, there is nothing to follow, and its teachers are not read.
        if (
            db.session.scalar(
                select(TrainingPath.id).where(TrainingPath.status == PathStatus.published).limit(1)
            )
            is None
            and db.session.scalar(select(PathCertificate.id).limit(1)) is None
        ):
            return
        chosen = Enrollment.id.in_(enrollments)
    else:
        ids = list(set(enrollment_ids))
        if not ids:
            return
        chosen = among(Enrollment.id, ids)
    teachers = db.session.scalars(select(Enrollment.teacher_id).where(chosen).distinct()).all()
    sync_path_certificates(teachers)


@path_published.connect
def _follow_publication(sender, path_id=None, **extra) -> None:
    sync_path_certificates(path_ids=[path_id])


def path_certificates_visible_to(user: User | None) -> Select:
    """Path certificates ``user`` may download: a teacher's own, nobody else's."""
    statement = (
        select(PathCertificate)
        .options(*_PATH_CERTIFICATE_LOADS)
        .order_by(PathCertificate.issued_at.desc(), PathCertificate.id.desc())
    )
    return _owned_by(statement, user, PathCertificate.teacher_id)


def own_path_certificate(user: User, certificate_id: int) -> PathCertificate:
    statement = path_certificates_visible_to(user).where(PathCertificate.id == certificate_id)
    return _one_of(statement, gettext("No such path certificate."))


def verify_any_certificate(code: str) -> Certificate | PathCertificate:
    """The attestation or the path certificate bearing ``code``; NotFound if neither."""
    try:
        return verify_certificate(code)
    except NotFound:
        found = _by_code(PathCertificate, _PATH_CERTIFICATE_LOADS, code)
        if found is None:
            raise
        return found


@dataclass
class PathRecord:
    """One line of "Mes parcours": the progress along a path and its certificate."""

    progress: PathProgress
    certificate: PathCertificate | None

    @property
    def path(self) -> TrainingPath:
        return self.progress.path


def path_records(user: User, path_id: int | None = None) -> list[PathRecord]:
    """The caller's progress along every published path (or one: NotFound when it is not
    published), with the certificate of each."""
    teacher = teacher_of(user)
    statement = published_paths()
    if path_id is not None:
        statement = statement.where(TrainingPath.id == path_id)
    paths = db.session.scalars(statement).all()
    if path_id is not None and not paths:
        raise NotFound(gettext("This training path does not exist."))
    certificates = (
        {
            c.path_id: c
            for c in db.session.scalars(
                select(PathCertificate).where(PathCertificate.teacher_id == teacher.id)
            )
        }
        if teacher is not None
        else {}
    )
    progress = path_progress(teacher.id if teacher else None, list(paths))
    records = [PathRecord(p, certificates.get(p.path.id)) for p in progress]
    # Paths begun first (most modules done), then the others
    return sorted(records, key=lambda r: (-r.progress.done, r.path.title))


def path_records_of_teacher(teacher_id: int, path: TrainingPath) -> PathProgress:
    """One teacher's progress along one path (what their certificate lists)."""
    return path_progress(teacher_id, [path])[0]
