"""The 100,000 counter on hand-built cases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from accelerator.audits.models import AuditEvent
from accelerator.audits.states import AuditStatus
from accelerator.certification import progress
from accelerator.extensions import cache, db
from accelerator.training.models import SessionStatus
from tests.audits.factories import make_approved_audit, make_solution
from tests.certification.factories import (
    approved_solution,
    at,
    enroll,
    make_session,
    teacher,
)
from tests.factories import OrganizationFactory

SESSION_DAY = date(2026, 3, 10)


def test_a_teacher_trained_twice_counts_once():
    camille = teacher()
    enroll(camille, make_session(on=date(2026, 3, 10)))
    enroll(camille, make_session(on=date(2026, 4, 2)))
    enroll(teacher(), make_session(on=date(2026, 4, 2)))
    assert progress.trained_teachers() == 2


@pytest.mark.parametrize(
    ("country", "outcome", "decided_on", "valid_until", "counts"),
    [
        ("FR", AuditStatus.approved, SESSION_DAY - timedelta(days=30), None, True),
        ("FR", AuditStatus.approved_with_conditions, SESSION_DAY, None, True),
        # approved the day after the session: not yet approved at the session's date
        ("FR", AuditStatus.approved, SESSION_DAY + timedelta(days=1), None, False),
        # the approval had lapsed before the session
        ("FR", AuditStatus.approved, date(2024, 1, 1), SESSION_DAY - timedelta(days=1), False),
        ("FR", AuditStatus.approved, date(2024, 1, 1), SESSION_DAY, True),
        ("FR", AuditStatus.rejected, SESSION_DAY - timedelta(days=30), None, False),
        # a foreign company, approved: does not count toward the French EdTech target
        ("DE", AuditStatus.approved, SESSION_DAY - timedelta(days=30), None, False),
        ("US", AuditStatus.approved, SESSION_DAY - timedelta(days=30), None, False),
    ],
)
def test_which_solutions_count(country, outcome, decided_on, valid_until, counts):
    solution = make_solution(OrganizationFactory(country=country))
    make_approved_audit(solution, outcome=outcome, decided_on=decided_on, valid_until=valid_until)
    enroll(teacher(), make_session([solution], on=SESSION_DAY))
    assert progress.trained_teachers() == (1 if counts else 0)


def test_a_french_company_counts_only_once_verified():
    # The country is what the company declared; only a manager's verification makes it a
    # French company for the counter.
    solution = approved_solution()
    enroll(teacher(), make_session([solution], on=SESSION_DAY))
    assert progress.trained_teachers() == 1
    db.session.delete(solution.organization.verification)
    db.session.flush()
    db.session.expire_all()
    assert progress.trained_teachers() == 0


def test_a_solution_never_audited_does_not_count():
    enroll(teacher(), make_session([make_solution()], on=SESSION_DAY))
    assert progress.trained_teachers() == 0


def test_one_qualifying_solution_among_several_is_enough():
    foreign = approved_solution(country="BE")
    french = approved_solution()
    enroll(teacher(), make_session([foreign, french]))
    assert progress.trained_teachers() == 1
    assert progress.by_solution() == {french.slug: 1}


@pytest.mark.parametrize(
    ("attended", "completed", "counts"),
    [(True, True, True), (True, False, False), (False, False, False)],
)
def test_only_completed_enrolments_count(attended, completed, counts):
    enroll(teacher(), make_session(), attended=attended, completed=completed)
    assert progress.trained_teachers() == (1 if counts else 0)


def test_a_cancelled_session_does_not_count():
    enroll(teacher(), make_session(status=SessionStatus.cancelled))
    assert progress.trained_teachers() == 0


def _suspension(solution, suspended_on: date, reinstated_on: date | None) -> None:
    audit = solution.audits[0]
    db.session.add(AuditEvent(audit=audit, action="suspend", at=at(suspended_on, 10)))
    if reinstated_on:
        db.session.add(AuditEvent(audit=audit, action="reinstate", at=at(reinstated_on, 10)))
    db.session.flush()


@pytest.mark.parametrize(
    ("suspended_on", "reinstated_on", "counts"),
    [
        (date(2026, 3, 1), None, False),
        (date(2026, 3, 1), date(2026, 3, 20), False),
        (date(2026, 3, 1), date(2026, 3, 5), True),
        (date(2026, 3, 15), None, True),
        (SESSION_DAY, None, False),
        (date(2026, 3, 1), SESSION_DAY, True),
    ],
)
def test_sessions_during_a_suspension_do_not_count(suspended_on, reinstated_on, counts):
    solution = approved_solution()
    _suspension(solution, suspended_on, reinstated_on)
    enroll(teacher(), make_session([solution], on=SESSION_DAY))
    assert progress.trained_teachers() == (1 if counts else 0)


def test_a_suspension_is_read_on_its_own_audit_and_at_each_sessions_date():
    suspended, other = approved_solution(), approved_solution()
    _suspension(suspended, date(2026, 3, 1), None)
    # another audit's reinstatement does not lift this suspension
    _suspension(other, date(2026, 2, 1), date(2026, 3, 5))
    before = teacher()
    enroll(before, make_session([suspended], on=date(2026, 2, 20)))  # before: counts
    enroll(teacher(), make_session([suspended], on=date(2026, 3, 10)))  # during: does not
    enroll(teacher(), make_session([other], on=date(2026, 3, 10)))  # reinstated: counts
    assert progress.trained_teachers() == 2
    assert progress.by_solution() == {suspended.slug: 1, other.slug: 1}


def test_breakdowns_agree_with_the_total():
    tool, other = approved_solution(), approved_solution()
    lyon, paris, nowhere = teacher(academy="lyon"), teacher(academy="paris"), teacher(academy=None)
    enroll(lyon, make_session([tool], on=date(2026, 2, 3)))
    enroll(lyon, make_session([other], on=date(2026, 3, 3)))  # second one: same teacher
    enroll(paris, make_session([tool, other], on=date(2026, 3, 17)))
    enroll(nowhere, make_session([other], on=date(2026, 4, 1)))
    enroll(teacher(academy="nice"), make_session([tool]), completed=False)

    assert progress.trained_teachers() == 3
    assert progress.by_academy() == {"lyon": 1, "paris": 1, "unknown": 1}
    # the month of each teacher's first qualifying completion
    assert progress.by_month() == {"2026-02": 1, "2026-03": 1, "2026-04": 1}
    assert progress.by_solution() == {tool.slug: 2, other.slug: 3}
    figures = progress.summary(today=date(2026, 5, 10))
    assert figures["trained_teachers"] == 3
    assert figures["by_academy"] == progress.by_academy()
    assert figures["by_month"] == progress.by_month()
    assert figures["by_solution"] == progress.by_solution()


def test_figures_are_kept_a_while_in_the_shared_cache(app):
    """Kept for PROGRESS_CACHE_SECONDS in the application's cache (Flask-Caching, shared by
    the workers): a new trained teacher shows once the cache lets go, or with no cache."""
    enroll(teacher(), make_session())
    app.config["PROGRESS_CACHE_SECONDS"] = 60
    try:
        assert progress.cached_summary()["trained_teachers"] == 1
        enroll(teacher(), make_session())
        assert progress.cached_summary()["trained_teachers"] == 1
        cache.clear()  # what another worker's expiry, or Redis's, does
        assert progress.cached_summary()["trained_teachers"] == 2
        enroll(teacher(), make_session())
        app.config["PROGRESS_CACHE_SECONDS"] = 0
        assert progress.cached_summary()["trained_teachers"] == 3
    finally:
        app.config["PROGRESS_CACHE_SECONDS"] = 0


def test_projected_date_follows_the_pace_of_the_last_six_months():
    months = {"2026-01": 100, "2026-04": 200, "2026-06": 300, "2026-07": 9999}
    # July is the current month, left out; pace = (100 + 200 + 300) / 6 = 100 a month
    today = date(2026, 7, 15)
    projected = progress.projected_date(99_000, months, today)
    assert projected == today + timedelta(days=305)  # ten months of 30.44 days


def test_no_pace_no_projection():
    assert progress.projected_date(10, {"2025-01": 10}, date(2026, 7, 15)) is None


def test_the_day_the_target_was_reached():
    tool = approved_solution()
    enroll(teacher(), make_session([tool], on=date(2026, 2, 3)))
    enroll(teacher(), make_session([tool], on=date(2026, 3, 4)))
    enroll(teacher(), make_session([tool], on=date(2026, 5, 6)))
    assert progress.projected_date(3, progress.by_month(), target=2) == date(2026, 3, 4)


def test_summary_through_the_public_api(api):
    enroll(teacher(academy="lyon"), make_session(on=date(2026, 3, 10)))
    db.session.commit()
    response = api.get("/training/progress")
    assert response.status_code == 200
    body = response.get_json()
    assert body["trained_teachers"] == 1
    assert body["target"] == 100_000
    assert body["percent"] == 0.0
    assert body["by_academy"] == {"lyon": 1}
    assert body["by_month"] == {"2026-03": 1}
    assert len(body["by_solution"]) == 1
    assert "projected_date" in body
    assert "max-age" in response.headers["Cache-Control"]


def test_public_progress_page(client):
    tool = approved_solution(name="Lalilo")
    enroll(teacher(academy="orleans-tours"), make_session([tool], on=date(2026, 3, 10)))
    db.session.commit()
    response = client.get("/progression")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Orléans-Tours" in page
    assert "Lalilo" in page
    assert "<progress" in page
    assert "style=" not in page
