"""Which teachers and sessions a transaction touched, so that ``kept.update`` recomputes
their kept figures before the commit.

Recorded from:
- every ORM flush: enrolments (new, changed, deleted, their answer at enrolment), sessions
  (cancelled, moved, another académie), ratings, follow-up answers, teacher profiles
  (académie, career stage), committee decisions and the audit history (suspensions,
  reinstatements), an organization's country;
- training's ``attendance_changed`` signal, which the bulk paths (imports) send with the
  enrolments they changed, and its ``enrolment_changed`` (a revival, a cancellation, each one
  statement);
- training's ``enrolled`` (a first enrolment, one INSERT): its session's kept count moves
  at once (``kept.add_enrolment``), nothing waits for the commit;
- audits' ``approval_changed`` signal (decisions, suspensions, reinstatements).
A solution whose approval changed touches every session on it and their teachers.

What a bulk statement changes without a signal (an import filling an empty académie of a
known teacher) waits for the next ``refresh`` on the job queue.
"""

from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from accelerator.audits.signals import approval_changed
from accelerator.core.db import among
from accelerator.reporting.sources import (
    Audit,
    AuditEvent,
    Decision,
    Enrollment,
    Feedback,
    FollowUpAnswer,
    Organization,
    Solution,
    TeacherProfile,
    TrainingSession,
    session_solution,
)
from accelerator.training.signals import attendance_changed, enrolled, enrolment_changed

KEY = "reporting_touched"
#: set while a commit is about to flush: the kept figures follow that flush
COMMITTING = "reporting_committing"
#: set while the kept figures are written (their own statements are not tracked)
UPDATING = "reporting_updating"


def _touched(session: Session) -> dict[str, set[int]]:
    return session.info.setdefault(
        KEY, {"teachers": set(), "sessions": set(), "whole_sessions": set(), "solutions": set()}
    )


def touch(session: Session, **ids) -> None:
    touched = _touched(session)
    for name, values in ids.items():
        touched[name].update(v for v in values if v is not None)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context) -> None:
    if session.info.get(UPDATING):
        return
    for instance in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(instance, Enrollment):
            touch(session, teachers=[instance.teacher_id], sessions=[instance.session_id])
        elif isinstance(instance, TrainingSession):
            touch(session, whole_sessions=[instance.id])
        elif isinstance(instance, Feedback):
            enrollment = session.get(Enrollment, instance.enrollment_id)
            if enrollment is not None:
                touch(session, sessions=[enrollment.session_id])
        elif isinstance(instance, FollowUpAnswer):
            enrollment = session.get(Enrollment, instance.enrollment_id)
            if enrollment is not None:
                touch(session, teachers=[enrollment.teacher_id])
        elif isinstance(instance, TeacherProfile):
            touch(session, teachers=[instance.id])
        elif isinstance(instance, Decision) or (
            isinstance(instance, AuditEvent) and instance.to_status is not None
        ):
            audit = session.get(Audit, instance.audit_id)
            if audit is not None:
                touch(session, solutions=[audit.solution_id])
        elif isinstance(instance, Organization) and instance in session.dirty:
            ids = session.scalars(
                select(Solution.id).where(Solution.organization_id == instance.id)
            )
            touch(session, solutions=list(ids))


@attendance_changed.connect
def _attendance_changed(sender, enrollment_ids=(), enrollments=None, **extra) -> None:
    from accelerator.extensions import db
    from accelerator.reporting import kept

    if enrollments is not None:
        if kept.state() is None:
            return  # nothing kept yet (``kept.update`` would do nothing): no need to read
        chosen = Enrollment.id.in_(enrollments)
    else:
        ids = list(enrollment_ids)
        if not ids:
            return
        chosen = among(Enrollment.id, ids)
    rows = db.session.execute(select(Enrollment.teacher_id, Enrollment.session_id).where(chosen))
    teachers, sessions = set(), set()
    for teacher, session_id in rows:
        teachers.add(teacher)
        sessions.add(session_id)
    touch(db.session(), teachers=teachers, sessions=sessions)


@enrolment_changed.connect
def _enrolment_changed(session, teacher_id=None, **extra) -> None:
    from accelerator.extensions import db

    touch(db.session(), teachers=[teacher_id], sessions=[session.id])


@enrolled.connect
def _enrolled(session, registered=False, **extra) -> None:
    from accelerator.reporting import kept

    kept.add_enrolment(session, registered)


@approval_changed.connect
def _approval_changed(audit, **extra) -> None:
    from accelerator.extensions import db

    touch(db.session(), solutions=[audit.solution_id])


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    """Bring the kept figures of what the transaction touched in line, in the same
    transaction: now when nothing is left to flush, else right after the commit's own flush
    (``_after_flush_postexec``), so that a conflict still shows at that flush."""
    if not _is_the_application_session(session):
        return
    if session.new or session.dirty or session.deleted:
        session.info[COMMITTING] = True
    elif session.info.get(KEY):
        _update_kept(session)


@event.listens_for(Session, "after_flush_postexec")
def _after_flush_postexec(session: Session, flush_context) -> None:
    if session.info.pop(COMMITTING, False) and session.info.get(KEY):
        _update_kept(session)


def _update_kept(session: Session) -> None:
    from accelerator.reporting import kept

    touched = session.info.pop(KEY, None)
    if not touched or not any(touched.values()) or kept.state() is None:
        return
    session.info[UPDATING] = True
    try:
        whole = set(touched["whole_sessions"])
        if touched["solutions"]:
            whole.update(
                session.scalars(
                    select(session_solution.c.session_id).where(
                        among(session_solution.c.solution_id, touched["solutions"])
                    )
                )
            )
        teachers = set(touched["teachers"])
        if whole:
            teachers.update(
                session.scalars(
                    select(Enrollment.teacher_id).where(among(Enrollment.session_id, whole))
                )
            )
        kept.update(teachers, touched["sessions"] | whole)
    finally:
        session.info.pop(UPDATING, None)
        session.info.pop(KEY, None)


def _is_the_application_session(session: Session) -> bool:
    """``kept`` works on ``db.session``: other sessions (scripts) are left alone."""
    from flask import has_app_context

    from accelerator.extensions import db

    return has_app_context() and session is db.session()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(KEY, None)
    session.info.pop(COMMITTING, None)
