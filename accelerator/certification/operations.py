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
from sqlalchemy import Select, false, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from accelerator.accounts.models import Role, TeacherProfile, User
from accelerator.audits.queries import lapsed_solution_ids
from accelerator.certification.models import Certificate, Feedback
from accelerator.core.db import among, utcnow
from accelerator.core.errors import Conflict, Invalid, NotFound
from accelerator.extensions import db
from accelerator.training.models import Enrollment, EnrollmentStatus, TrainingSession
from accelerator.training.signals import attendance_changed

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


# --- Certificates --------------------------------------------------------------------------


def new_code() -> str:
    # 5 random bits per character (the alphabet has 32), drawn at once: an import issuing
    # 100,000 attestations spends milliseconds here, not seconds of one draw per character.
    bits = int.from_bytes(secrets.token_bytes((5 * CODE_LENGTH + 7) // 8))
    raw = "".join(CODE_ALPHABET[(bits >> (5 * i)) & 31] for i in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


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


def sync_certificates(enrollment_ids) -> int:
    """Bring the attestations of these enrolments in line with their completion, in bulk
    (attendance pages, API and imports call it): one for each completed enrolment (issued,
    or reinstated), none in force where completion was withdrawn. Returns how many were
    issued."""
    enrollment_ids = list(set(enrollment_ids))
    if not enrollment_ids:
        return 0
    now = utcnow()
    chosen = among(Enrollment.id, enrollment_ids)
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
    missing = db.session.scalars(
        completed.where(
            ~select(Certificate.id).where(Certificate.enrollment_id == Enrollment.id).exists()
        )
    ).all()
    if missing:
        db.session.execute(
            insert(Certificate),
            [{"enrollment_id": eid, "code": new_code(), "issued_at": now} for eid in missing],
        )
    return len(missing)


@attendance_changed.connect
def _follow_attendance(sender, enrollment_ids=(), **extra) -> None:
    sync_certificates(enrollment_ids)


def revoke_certificate(enrollment: Enrollment) -> Certificate | None:
    """Withdraw the attestation of an enrolment whose completion was withdrawn."""
    certificate = _certificate_of(enrollment)
    if certificate is not None and certificate.revoked_at is None:
        certificate.revoked_at = utcnow()
    return certificate


def certificates_visible_to(user: User | None) -> Select:
    """Certificates ``user`` may download: a teacher's own, nobody else's."""
    statement = (
        select(Certificate)
        .join(Enrollment, Enrollment.id == Certificate.enrollment_id)
        .options(
            joinedload(Certificate.enrollment)
            .joinedload(Enrollment.session)
            .selectinload(TrainingSession.solutions),
            joinedload(Certificate.enrollment).joinedload(Enrollment.teacher),
        )
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )
    teacher = teacher_of(user)
    if teacher is None:
        return statement.where(false())
    return statement.where(Enrollment.teacher_id == teacher.id)


def own_certificate(user: User, certificate_id: int) -> Certificate:
    certificate = db.session.scalar(
        certificates_visible_to(user).where(Certificate.id == certificate_id)
    )
    if certificate is None:
        raise NotFound(gettext("No such attestation."))
    return certificate


def verify_certificate(code: str) -> Certificate:
    """The certificate bearing ``code``; NotFound for an unknown or forged code."""
    normalized = normalize_code(code)
    certificate = (
        db.session.scalar(
            select(Certificate)
            .where(Certificate.code == normalized)
            .options(
                joinedload(Certificate.enrollment)
                .joinedload(Enrollment.session)
                .selectinload(TrainingSession.solutions),
                joinedload(Certificate.enrollment).joinedload(Enrollment.teacher),
            )
        )
        if normalized
        else None
    )
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
