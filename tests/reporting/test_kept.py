"""The kept figures equal a full recount: after a refresh on random data (hypothesis), and
kept up to date by each transaction (attendance, imports, cancellations, ratings,
suspensions) without any refresh."""

from __future__ import annotations

import io
from datetime import UTC, date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accelerator.accounts.models import Role
from accelerator.audits.operations import reinstate_approval, suspend_approval
from accelerator.certification import progress
from accelerator.certification.models import Feedback
from accelerator.certification.operations import record_follow_up
from accelerator.core.db import utcnow
from accelerator.extensions import db
from accelerator.reporting import kept, measures
from accelerator.reporting.models import KeptSession
from accelerator.reporting.periods import Period
from accelerator.reporting.sources import Audit
from accelerator.training.imports import import_attendance
from accelerator.training.models import Enrollment, EnrollmentStatus, SessionStatus, TrainingSession
from accelerator.training.operations import attendance, sessions
from tests.conftest import _empty_tables
from tests.factories import make_user
from tests.reporting.helpers import approved_solution, enrol, session_on, teacher

ACADEMIES = ("paris", "lyon", None)
STAGES = ("stagiaire", "neotitulaire", "titulaire")
WIDE = Period(date(2020, 1, 1), date(2031, 12, 31))
PERIODS = (
    WIDE,
    Period(date(2026, 1, 1), date(2026, 3, 31)),
    Period(date(2026, 1, 1), date(2026, 12, 31), "paris"),
    Period(date(2026, 2, 10), date(2026, 2, 20), "lyon"),
)


def assert_kept_equals_recount() -> None:
    for period in PERIODS:
        assert kept.trained_days(period) == measures.trained_days(period), period
        assert kept.first_attended_days(period) == measures.first_attended_days(period)
        assert kept.first_completed_days(period) == measures.first_completed_days(period)
        new = ("stagiaire", "neotitulaire")
        assert kept.first_completed_days(period, new) == measures.first_completed_days(period, new)
        assert kept.session_days(period) == measures.session_days(period), period
        assert kept.reinvestment_days(period) == measures.reinvestment_days(period), period
        assert kept.by_solution(period) == measures.by_solution(period), period
        assert kept.trained_by_academy(period) == measures.trained_by_academy(period)
        assert kept.attended_by_academy(period) == measures.attended_by_academy(period)
    fast, slow = progress.summary(), progress.summary(recount=True)
    # the figures, not the moment each answer was computed at
    fast.pop("as_of", None), slow.pop("as_of", None)
    assert fast == slow


def assert_kept_sessions_equal_a_recount() -> None:
    """The kept row of each session, its registered count included (which no indicator
    reads), is what its enrolments and ratings add up to: one row per session not cancelled
    that has an enrolment."""
    expected = {}
    for session in db.session.scalars(db.select(TrainingSession)):
        if session.status == SessionStatus.cancelled or not session.enrollments:
            continue
        placed = [e for e in session.enrollments if e.status == EnrollmentStatus.registered]
        ratings = [
            feedback.rating
            for feedback in db.session.scalars(
                db.select(Feedback).join(Enrollment).where(Enrollment.session_id == session.id)
            )
        ]
        expected[session.id] = {
            "academy": session.academy,
            "ends_on": session.ends_at.date(),
            "registered": len(placed),
            "attended": sum(1 for e in placed if e.attended or e.completed),
            "completed": sum(1 for e in placed if e.completed),
            "ratings": len(ratings),
            "satisfied": sum(1 for rating in ratings if rating >= measures.SATISFIED_FROM),
        }
    rows = {
        row.session_id: {name: getattr(row, name) for name in expected.get(row.session_id, {})}
        or "not expected"
        for row in db.session.scalars(db.select(KeptSession))
    }
    for row in rows.values():
        if isinstance(row, dict):
            row["ends_on"] = measures.as_day(row["ends_on"])
    assert rows == expected


sessions_strategy = st.lists(
    st.tuples(
        st.integers(0, 400),  # day after 2025-10-01
        st.sampled_from(("paris", "lyon", "nice")),
        st.sampled_from(("FR", "FR", "BE")),
        st.booleans(),  # cancelled
        st.integers(0, 2),  # which approval date (early, mid, late)
    ),
    min_size=1,
    max_size=5,
)
enrolments_strategy = st.lists(
    st.tuples(
        st.integers(0, 4),  # session index
        st.integers(0, 5),  # teacher index
        st.sampled_from(("none", "attended", "completed", "waitlisted", "cancelled")),
        st.one_of(st.none(), st.integers(1, 5)),  # rating
        st.sampled_from((None, True, False)),  # already uses it in class (at enrolment)
        st.sampled_from((None, True, False)),  # used it since (follow-up)
    ),
    max_size=20,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sessions_strategy,
    enrolments_strategy,
    st.lists(st.sampled_from(ACADEMIES), min_size=6, max_size=6),
    st.lists(st.sampled_from(STAGES), min_size=6, max_size=6),
)
def test_refreshed_kept_figures_equal_a_recount(app, sessions_spec, enrolments, academies, stages):
    _empty_tables()
    approvals = (date(2025, 1, 1), date(2026, 2, 1), date(2026, 9, 1))
    solutions = {}
    built = []
    for day, academy, country, cancelled, approval in sessions_spec:
        key = (country, approval)
        if key not in solutions:
            solutions[key] = approved_solution(country, decided_on=approvals[approval])
        built.append(
            session_on(
                date(2025, 10, 1) + timedelta(days=day),
                [solutions[key]],
                academy=academy,
                status=SessionStatus.cancelled if cancelled else SessionStatus.scheduled,
            )
        )
    teachers = [teacher(a, s) for a, s in zip(academies, stages, strict=True)]
    seen = set()
    for index, who, state, rating, before, after in enrolments:
        session = built[index % len(built)]
        if (session.id, who) in seen:
            continue
        seen.add((session.id, who))
        status = {
            "waitlisted": EnrollmentStatus.waitlisted,
            "cancelled": EnrollmentStatus.cancelled,
        }.get(state, EnrollmentStatus.registered)
        enrol(
            session,
            teachers[who],
            attended=state == "attended",
            completed=state == "completed",
            status=status,
            rating=rating if state in ("attended", "completed") else None,
            before=before,
            after=after,
        )
    kept.refresh()
    db.session.commit()
    assert_kept_equals_recount()


def _started_session(solution, academy="paris"):
    """A session that began an hour ago (attendance can be taken, and a suspension today
    concerns it)."""
    session = session_on(date.today(), [solution], academy=academy)
    session.starts_at = utcnow() - timedelta(hours=1)
    session.ends_at = utcnow() + timedelta(hours=2)
    db.session.commit()
    return session


def test_each_transaction_keeps_the_figures_equal_to_a_recount():
    """No refresh after the first: attendance on the page, an import, a rating, a
    cancellation, a suspension and a reinstatement each leave kept == recount."""
    manager = make_user(Role.manager)
    kept.refresh()
    db.session.commit()
    solution, other = approved_solution(), approved_solution()
    past = session_on(date(2026, 2, 15), [solution, other], academy="lyon")
    today = _started_session(solution)
    camille, dominique = teacher("paris", "stagiaire"), teacher("lyon")
    for session in (past, today):
        for profile in (camille, dominique):
            enrol(session, profile)
    assert_kept_equals_recount()

    attendance.record_attendance(
        manager,
        today,
        [
            {"teacher_email": camille.email, "attended": True, "completed": True},
            {"teacher_email": dominique.email, "attended": True, "completed": False},
        ],
        source="page",
    )
    db.session.commit()
    # trained on the (UTC) day the session ends: tomorrow when it ends past midnight
    assert kept.trained_days(WIDE) == {today.ends_at.astimezone(UTC).date(): 1}
    assert_kept_equals_recount()

    newcomer = "alix.durand@ac-nice.fr"
    csv_file = (
        "email;academie;situation;session;present;termine\n"
        f"{camille.email};;;{past.reference};oui;oui\n"
        f"{newcomer};nice;neotitulaire;{today.reference};oui;oui\n"
    )
    report = import_attendance(manager, io.BytesIO(csv_file.encode()))
    assert not report.as_dict()["errors"]
    db.session.commit()
    assert_kept_equals_recount()

    enrollment = next(e for e in past.enrollments if e.teacher_id == camille.id)
    db.session.add(Feedback(enrollment_id=enrollment.id, rating=5, comment=""))
    db.session.commit()
    assert_kept_equals_recount()

    # The reinvestment questionnaires: the answer at enrolment, then the follow-up's.
    enrollment.already_uses_in_class = False
    db.session.commit()
    assert_kept_equals_recount()
    record_follow_up(enrollment, True)
    db.session.commit()
    assert kept.reinvestment_days(WIDE) == {
        date(2026, 2, 15): {"pairs": 1, "before": 0, "after": 1}
    }
    assert_kept_equals_recount()

    audit = db.session.scalar(db.select(Audit).where(Audit.solution_id == solution.id))
    suspend_approval(manager, audit, "Suspendue pour vérification.")
    db.session.commit()
    assert_kept_equals_recount()
    reinstate_approval(manager, audit, "Levée.")
    db.session.commit()
    assert_kept_equals_recount()

    coming = session_on(date.today() + timedelta(days=30), [other])
    enrol(coming, camille)
    sessions.cancel_session(manager, coming)
    db.session.commit()
    sessions.cancel_session(manager, past)
    db.session.commit()
    assert kept.session_days(WIDE).get(date(2026, 2, 15)) is None
    assert_kept_equals_recount()


def test_enrolments_keep_their_session_rows_equal_to_a_recount():
    """Kept figures refreshed once, then first enrolments (a place, the waitlist, the first
    of a session), a duplicate refused, a cancellation, a revival: each session's row stays
    what its enrolments add up to, the indicators what a recount says."""
    from accelerator.core.errors import Conflict
    from accelerator.training.operations import cancel_enrollment, enroll_teacher

    manager = make_user(Role.manager)
    coming = session_on(date.today() + timedelta(days=30), capacity=2)
    enrol(session_on(date(2026, 2, 15)), completed=True)
    kept.refresh()
    db.session.commit()
    profiles = [teacher(), teacher(), teacher()]
    enrolments = []
    for profile in profiles:  # the session's first (no kept row yet), a place, the waitlist
        enrolments.append(enroll_teacher(manager, coming, profile, True))
        db.session.commit()
        assert_kept_sessions_equal_a_recount()
    assert [e.status for e in enrolments] == [
        EnrollmentStatus.registered,
        EnrollmentStatus.registered,
        EnrollmentStatus.waitlisted,
    ]
    try:
        enroll_teacher(manager, coming, profiles[0])
    except Conflict:
        db.session.rollback()
    assert_kept_sessions_equal_a_recount()
    cancel_enrollment(manager, enrolments[2])  # off the waitlist: nobody moves up
    db.session.commit()
    assert_kept_sessions_equal_a_recount()
    cancel_enrollment(manager, enrolments[0])  # a place given back
    db.session.commit()
    assert_kept_sessions_equal_a_recount()
    assert enroll_teacher(manager, coming, profiles[0]).status == EnrollmentStatus.registered
    db.session.commit()
    db.session.expire_all()
    assert_kept_sessions_equal_a_recount()
    assert_kept_equals_recount()


def test_rolled_back_changes_leave_nothing_to_update():
    kept.refresh()
    db.session.commit()
    session = session_on(date(2026, 2, 15))
    enrol(session, completed=True)
    profile = teacher()
    enrol(session, profile, completed=True)
    db.session.rollback()
    assert_kept_equals_recount()


def test_the_day_a_target_was_reached_comes_from_the_kept_counts():
    solution = approved_solution()
    for day in (date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)):
        enrol(session_on(day, [solution]), teacher(), completed=True)
    kept.refresh()
    db.session.commit()
    for target, day in ((1, date(2026, 2, 1)), (2, date(2026, 3, 1)), (4, None)):
        assert kept.day_target_reached(target) == day
        if day is not None:  # the counter's own recount agrees
            assert progress._day_target_reached(target) == day


# --- Random transactions, kept up to date without any refresh --------------------------------

#: (operation, a, b, c): what each means is in ``_apply``
operations_strategy = st.lists(
    st.tuples(
        st.sampled_from(
            (
                "attend",
                "import",
                "rate",
                "follow_up",
                "prior_use",
                "cancel_enrolment",
                "enrol",
                "cancel_session",
                "suspend",
                "academy",
            )
        ),
        st.integers(0, 3),  # a session (0-2 begun, 3 to come), a solution or a teacher
        st.integers(0, 4),  # a teacher (4: a newcomer, for imports and enrolments)
        st.integers(0, 4),  # attendance (0 absent, 1 present, 2+ completed), rating - 1, ...
    ),
    min_size=1,
    max_size=8,
)


def _world():
    """Two French solutions, sessions on them (two past ones, one begun an hour ago, one to
    come with 5 places), four teachers enrolled everywhere, kept figures refreshed once."""
    manager = make_user(Role.manager)
    first, second = approved_solution(), approved_solution()
    sessions_ = [
        session_on(date(2026, 2, 15), [first, second], academy="lyon"),
        session_on(date(2026, 3, 2), [second], academy="paris"),
        _started_session(first),
        session_on(date.today() + timedelta(days=30), [second], academy="nice", capacity=5),
    ]
    teachers = [teacher("paris", "stagiaire"), teacher("lyon"), teacher(None), teacher("nice")]
    for session in sessions_:
        for profile in teachers:
            enrol(session, profile)
    kept.refresh()
    db.session.commit()
    return manager, (first, second), sessions_, teachers


def _apply(operation, a, b, c, manager, solutions, sessions_, teachers, newcomers) -> None:
    """One transaction of the application (its own operations, as pages, the API and the
    worker call them), committed; refused ones roll back."""
    from accelerator.core.errors import DomainError
    from accelerator.training.operations import (
        cancel_enrollment,
        enroll_teacher,
        enrollment_of,
        record_prior_use,
        teacher_for_email,
    )

    session = sessions_[a]
    profile = teachers[b % len(teachers)]
    enrollment = enrollment_of(session.id, profile.id)
    try:
        if operation == "attend":
            item = {"teacher_email": profile.email, "attended": c >= 1, "completed": c >= 2}
            attendance.record_attendance(manager, session, [item], source="page")
        elif operation == "import":
            email = profile.email if b < 4 else f"arrivant.{next(newcomers)}@ac-nice.fr"
            flags = ("oui" if c >= 1 else "non", "oui" if c >= 2 else "non")
            csv_file = (
                "email;academie;situation;session;present;termine\n"
                f"{email};nice;neotitulaire;{session.reference};{flags[0]};{flags[1]}\n"
            )
            import_attendance(manager, io.BytesIO(csv_file.encode()))
        elif operation == "rate" and enrollment is not None:
            db.session.add(Feedback(enrollment_id=enrollment.id, rating=c + 1, comment=""))
        elif operation == "follow_up" and enrollment is not None:
            record_follow_up(enrollment, c % 2 == 0)
        elif operation == "prior_use" and enrollment is not None:
            record_prior_use(enrollment, c % 2 == 1)
        elif operation == "cancel_enrolment" and enrollment is not None:
            cancel_enrollment(manager, enrollment)
        elif operation == "enrol":
            # a newcomer's first enrolment (a place, then the waitlist), a cancelled one
            # revived, a duplicate (409), or a session begun (409)
            if b == 4:
                profile = teacher_for_email(f"arrivant.{next(newcomers)}@ac-nice.fr")
            enroll_teacher(manager, session, profile, (None, True, False, None, True)[c])
        elif operation == "cancel_session":
            sessions.cancel_session(manager, session)
        elif operation == "suspend":
            solution = solutions[a % 2]
            audit = db.session.scalar(db.select(Audit).where(Audit.solution_id == solution.id))
            if audit.status.value == "suspended":
                reinstate_approval(manager, audit, "Levée.")
            else:
                suspend_approval(manager, audit, "Suspendue pour vérification.")
        elif operation == "academy":
            profile.academy = ("paris", "lyon", None, "nice", "lyon")[c]
        db.session.commit()
    except DomainError:
        db.session.rollback()
    except Exception as error:  # a unique answer given twice: the application refuses it
        from sqlalchemy.exc import IntegrityError

        if not isinstance(error, IntegrityError):
            raise
        db.session.rollback()


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations_strategy)
def test_random_transactions_keep_the_figures_equal_to_a_recount(app, steps):
    """Kept figures refreshed once, then random attendance (page and import), ratings,
    answers to both reinvestment questions, enrolments (first ones, on the waitlist, revived,
    refused), cancelled enrolments and sessions, suspensions and reinstatements, académies
    changed: after each transaction, kept == recount, each session's row included."""
    from itertools import count

    _empty_tables()
    manager, solutions, sessions_, teachers = _world()
    newcomers = count(1)
    for operation, a, b, c in steps:
        _apply(operation, a, b, c, manager, solutions, sessions_, teachers, newcomers)
        db.session.expire_all()
        assert_kept_equals_recount()
        assert_kept_sessions_equal_a_recount()
