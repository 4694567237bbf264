"""Two state changes on one audit at the same instant: exactly one wins (PostgreSQL).

Each thread has its own application and request contexts, so its own session and
connection, as two gunicorn workers would. The row lock (``SELECT ... FOR UPDATE``) makes
the second wait for the first's commit, then read the new state and be refused.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from accelerator.accounts.models import Role, User
from accelerator.audits import operations
from accelerator.audits.models import Audit, AuditEvent, Solution
from accelerator.audits.states import AuditStatus
from accelerator.core.errors import Conflict
from accelerator.extensions import db
from tests.audits.factories import make_solution
from tests.conftest import IS_POSTGRESQL
from tests.factories import make_user

pytestmark = pytest.mark.skipif(not IS_POSTGRESQL, reason="row locks need PostgreSQL")


def _race(app, audit_id: int, moves: list[tuple[int, str]]) -> list[str]:
    """Run each (user id, action) in its own thread, all starting together."""
    barrier = threading.Barrier(len(moves))
    outcomes: list[str] = [""] * len(moves)

    def run(index: int, user_id: int, action: str) -> None:
        # a request context of its own, as in a worker (gettext reads the request's locale)
        with app.test_request_context("/api/v1/audits"):
            try:
                user = db.session.get(User, user_id)
                audit = db.session.get(Audit, audit_id)
                _ = audit.solution, audit.assignments  # loaded before the race starts
                barrier.wait(timeout=10)
                operations.apply_transition(user, audit, action, "Course.")
                db.session.commit()
                outcomes[index] = "ok"
            except Conflict:
                db.session.rollback()
                outcomes[index] = "conflict"
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=run, args=(i, user_id, action))
        for i, (user_id, action) in enumerate(moves)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def _transition_rows(audit_id: int) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.audit_id == audit_id, AuditEvent.to_status.is_not(None))
            .order_by(AuditEvent.id)
        )
    )


@pytest.mark.parametrize("attempt", range(3))
def test_two_admits_at_once_apply_once(app, people, audit_in, attempt):
    audit = audit_in(AuditStatus.submitted)
    for expert in people.experts:
        operations.assign_expert(people.manager, audit, expert)
    second_manager = make_user(Role.manager)
    db.session.commit()
    outcomes = _race(app, audit.id, [(people.manager.id, "admit"), (second_manager.id, "admit")])
    assert sorted(outcomes) == ["conflict", "ok"]
    assert _transition_rows(audit.id).count("admit") == 1
    assert db.session.get(Audit, audit.id).status == AuditStatus.in_review


@pytest.mark.parametrize("attempt", range(3))
def test_withdraw_against_inadmissible_applies_one(app, people, audit_in, attempt):
    audit = audit_in(AuditStatus.submitted)
    outcomes = _race(
        app,
        audit.id,
        [(people.company.id, "withdraw"), (people.manager.id, "declare_inadmissible")],
    )
    assert sorted(outcomes) == ["conflict", "ok"]
    winner = ["withdraw", "declare_inadmissible"][outcomes.index("ok")]
    rows = _transition_rows(audit.id)
    assert rows.count("withdraw") + rows.count("declare_inadmissible") == 1
    assert rows[-1] == winner
    expected = AuditStatus.withdrawn if winner == "withdraw" else AuditStatus.inadmissible
    assert db.session.get(Audit, audit.id).status == expected


@pytest.mark.parametrize("attempt", range(3))
def test_two_starts_at_once_open_one_audit(app, people, version, attempt):
    """The pre-check cannot see an uncommitted twin: the partial unique index decides."""
    solution = make_solution(people.company.organization)
    colleague = make_user(Role.company, organization=people.company.organization)
    db.session.commit()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(user_id: int) -> None:
        with app.test_request_context("/api/v1/audits"):
            try:
                user = db.session.get(User, user_id)
                target = db.session.get(Solution, solution.id)
                barrier.wait(timeout=10)
                operations.start_audit(user, target)
                db.session.commit()
                outcomes.append("ok")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(u,)) for u in (people.company.id, colleague.id)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "ok"]
    db.session.expire_all()
    assert (
        db.session.scalar(select(func.count(Audit.id)).where(Audit.solution_id == solution.id)) == 1
    )
