"""Capacity under concurrency, on PostgreSQL: a crowd enrolling in the same second.

SQLite has a single writer, so the race cannot happen there; these tests are skipped.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from accelerator.accounts.models import Role, TeacherProfile, User
from accelerator.core.errors import Conflict
from accelerator.extensions import db
from accelerator.training.models import Enrollment, EnrollmentStatus, TrainingSession
from accelerator.training.operations import cancel_enrollment, enroll_teacher
from tests.conftest import IS_POSTGRESQL
from tests.factories import make_user
from tests.training.factories import add_enrollment, make_session, make_teacher

pytestmark = pytest.mark.skipif(not IS_POSTGRESQL, reason="needs PostgreSQL's concurrency")


def run_together(app, count: int, work) -> list:
    """Run ``work(index)`` in ``count`` threads released at the same instant, each in its own
    request and application context (its own database session and connection); returns the
    outcomes."""
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def target(index: int) -> None:
        # A request context (as in production) also gives an app context of its own.
        with app.test_request_context():
            try:
                barrier.wait()
                outcomes[index] = work(index)
                db.session.commit()
            except Exception as error:  # recorded, asserted on by the test
                db.session.rollback()
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def status_counts(session_id: int) -> dict:
    rows = db.session.execute(
        select(Enrollment.status, func.count())
        .where(Enrollment.session_id == session_id)
        .group_by(Enrollment.status)
    ).all()
    return {status.value: count for status, count in rows}


def test_fifty_teachers_enrolling_at_once_never_overfill_a_session(app):
    session = make_session(capacity=10)
    trainer_id = make_user(Role.trainer).id
    teacher_ids = [make_teacher().id for _ in range(50)]
    session_id = session.id

    def work(index: int) -> str:
        actor = db.session.get(User, trainer_id)
        target = db.session.get(TrainingSession, session_id)
        teacher = db.session.get(TeacherProfile, teacher_ids[index])
        return enroll_teacher(actor, target, teacher).status.value

    outcomes = run_together(app, 50, work)
    assert sorted(set(map(type, outcomes)), key=str) == [str], outcomes
    assert outcomes.count("registered") == 10 and outcomes.count("waitlisted") == 40
    db.session.expire_all()
    assert db.session.get(TrainingSession, session_id).registered_count == 10
    assert status_counts(session_id) == {"registered": 10, "waitlisted": 40}


@pytest.mark.parametrize("cancelled_before", [False, True], ids=["first", "again"])
def test_the_same_teacher_enrolling_twice_at_once_is_enrolled_once(app, cancelled_before):
    """Eight requests at once for one teacher, a first enrolment or one after a cancellation:
    one enrols, the others are told the teacher already is."""
    session = make_session(capacity=5)
    teacher = make_teacher()
    if cancelled_before:
        add_enrollment(session, teacher, status=EnrollmentStatus.cancelled)
    trainer_id, teacher_id, session_id = make_user(Role.trainer).id, teacher.id, session.id

    def work(index: int) -> str:
        actor = db.session.get(User, trainer_id)
        target = db.session.get(TrainingSession, session_id)
        return enroll_teacher(actor, target, db.session.get(TeacherProfile, teacher_id)).status

    outcomes = run_together(app, 8, work)
    assert sum(1 for o in outcomes if o == EnrollmentStatus.registered) == 1, outcomes
    assert all(isinstance(o, Conflict) for o in outcomes if o != EnrollmentStatus.registered)
    db.session.expire_all()
    assert db.session.get(TrainingSession, session_id).registered_count == 1
    assert status_counts(session_id) == {"registered": 1}


def test_a_crowd_enrolling_at_once_keeps_the_kept_figures_of_the_session_exact(app):
    """Kept figures refreshed, then 30 teachers at once into a new session of 10 places (the
    first of them gives the session its kept row): the row counts the 10 places."""
    from accelerator.reporting import kept
    from accelerator.reporting.models import KeptSession

    kept.refresh()
    db.session.commit()
    session = make_session(capacity=10)
    trainer_id = make_user(Role.trainer).id
    teacher_ids = [make_teacher().id for _ in range(30)]
    session_id = session.id

    def work(index: int) -> str:
        actor = db.session.get(User, trainer_id)
        target = db.session.get(TrainingSession, session_id)
        teacher = db.session.get(TeacherProfile, teacher_ids[index])
        return enroll_teacher(actor, target, teacher).status.value

    outcomes = run_together(app, 30, work)
    assert outcomes.count("registered") == 10 and outcomes.count("waitlisted") == 20, outcomes
    db.session.expire_all()
    assert db.session.get(KeptSession, session_id).registered == 10


def test_cancellations_and_enrolments_at_once_keep_the_count_right(app):
    """Half the places are given up while newcomers enrol: the count always equals the
    registered enrolments, and nobody waits while a place is free."""
    session = make_session(capacity=10)
    holders = [add_enrollment(session).id for _ in range(10)]
    trainer_id = make_user(Role.trainer).id
    newcomers = [make_teacher().id for _ in range(10)]
    session_id = session.id

    def work(index: int):
        actor = db.session.get(User, trainer_id)
        if index < 5:
            return cancel_enrollment(actor, db.session.get(Enrollment, holders[index]))
        target = db.session.get(TrainingSession, session_id)
        teacher = db.session.get(TeacherProfile, newcomers[index - 5])
        return enroll_teacher(actor, target, teacher).status.value

    outcomes = run_together(app, 15, work)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    db.session.expire_all()
    counts = status_counts(session_id)
    registered = db.session.get(TrainingSession, session_id).registered_count
    assert registered == counts["registered"] == 10
    assert counts["cancelled"] == 5 and counts.get("waitlisted", 0) == 5


def test_two_imports_into_one_session_at_once_report_exactly_what_they_did(app):
    """Two files share 60 teachers and a session of 100 places; each also brings 40 of its
    own. Whatever the order, the places go to 100 teachers at most, and the two reports add
    up to what the database holds: every line imported once, by one import, the other one
    finding it unchanged, and every refused line refused for lack of a place."""
    import io

    from accelerator.core.jobs import run_job_now
    from accelerator.training.imports import queue_attendance_import

    session = make_session(capacity=100, starts_in=__import__("datetime").timedelta(days=-3))
    trainers = [make_user(Role.trainer), make_user(Role.trainer)]
    db.session.commit()
    header = "email;nom;prenom;academie;uai;situation;session;present;termine"

    def lines(emails):
        rows = [f"{email};N;P;lille;;;{session.reference};oui;oui" for email in emails]
        return ("\n".join([header, *rows]) + "\n").encode()

    shared = [f"commun{i}@ac-lille.fr" for i in range(60)]
    files = [lines(shared + [f"seul{k}-{i}@ac-lille.fr" for i in range(40)]) for k in range(2)]
    job_ids = []
    for trainer, content in zip(trainers, files, strict=True):
        job = queue_attendance_import(db.session.get(User, trainer.id), io.BytesIO(content))
        db.session.info.pop("jobs_to_dispatch", None)  # run below, side by side
        job_ids.append(job.id)
    db.session.commit()

    outcomes = run_together(app, 2, lambda index: run_job_now(job_ids[index]).result)
    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    # The first to write takes the 100 places; the second finds its 60 shared teachers
    # already there and no place for its 40 own.
    summaries = sorted((r["imported"], r["unchanged"], len(r["errors"])) for r in outcomes)
    assert summaries == [(0, 60, 40), (100, 0, 0)]
    assert all(session.reference in e["message"] for r in outcomes for e in r["errors"])
    db.session.expire_all()
    registered = db.session.get(TrainingSession, session.id).registered_count
    assert registered == status_counts(session.id)["registered"] == 100
