"""Random sequences of actions, by the right people and the wrong ones, keep the invariants:

- an approved audit (with or without conditions) has a decision and no eliminatory failure;
- the history holds exactly one transition row per transition applied;
- a refused action changes nothing (status, version, history, rows).
"""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from accelerator.audits import operations
from accelerator.audits.models import Answer, AuditEvent
from accelerator.audits.results import applicable_codes, compute_result
from accelerator.audits.states import APPROVED_STATES, TRANSITIONS, AuditStatus
from accelerator.core.errors import DomainError
from accelerator.extensions import db
from tests.audits.factories import make_solution

S = AuditStatus
ACTORS = ("company", "manager", "expert0", "expert1", "other_company", "other_expert", "admin")
OUTCOMES = ("approved", "approved_with_conditions", "rejected")
#: steps that are one operation (the others chain several)
SINGLE = ("transition", "assign", "complete")

STEP = st.one_of(
    # the natural next move, by the right people, so that sequences reach the late states
    st.tuples(
        st.just("advance"),
        st.sampled_from(("0", "1", "2", "3")),
        st.just("company"),
        st.sampled_from(OUTCOMES),
    ),
    st.tuples(
        st.just("transition"),
        st.sampled_from(sorted(TRANSITIONS)),
        st.sampled_from(ACTORS),
        st.sampled_from(OUTCOMES),
    ),
    st.tuples(st.just("answer"), st.just(""), st.sampled_from(ACTORS), st.just("")),
    st.tuples(
        st.just("assign"),
        st.sampled_from(("expert0", "expert1", "other_expert")),
        st.sampled_from(ACTORS),
        st.just(""),
    ),
    st.tuples(
        st.just("score"),
        st.sampled_from(("0", "1", "2", "3")),
        st.sampled_from(ACTORS),
        st.just(""),
    ),
    st.tuples(st.just("complete"), st.just(""), st.sampled_from(ACTORS), st.just("")),
    st.tuples(st.just("settle"), st.sampled_from(("1", "3")), st.sampled_from(ACTORS), st.just("")),
)


def _actor(people, name):
    return {
        "company": people.company,
        "manager": people.manager,
        "expert0": people.experts[0],
        "expert1": people.experts[1],
        "other_company": people.other_company,
        "other_expert": people.other_expert,
        "admin": people.admin,
    }[name]


def _advance(people, audit, level, outcome):
    """The happy path's next move from the audit's state; returns the transitions applied."""
    status = audit.status
    if status == S.draft:
        _apply(people, audit, ("answer", "", "company", ""))
        _apply(people, audit, ("transition", "submit", "company", ""))
    elif status == S.submitted:
        for expert in ("expert0", "expert1"):
            if _actor(people, expert).id not in audit.expert_ids():
                _apply(people, audit, ("assign", expert, "manager", ""))
        _apply(people, audit, ("transition", "admit", "manager", ""))
    elif status == S.in_review:
        for expert in ("expert0", "expert1"):
            _apply(people, audit, ("score", level, expert, ""))
        _apply(people, audit, ("settle", level, "manager", ""))
        _apply(people, audit, ("transition", "send_to_committee", "manager", ""))
    else:
        action, actor = {
            S.info_requested: ("respond", "company"),
            S.committee: ("decide", "manager"),
            S.rejected: ("appeal", "company"),
            S.appealed: ("reopen", "manager"),
            S.approved: ("suspend", "manager"),
            S.approved_with_conditions: ("suspend", "manager"),
            S.suspended: ("reinstate", "manager"),
        }.get(status, ("withdraw", "company"))
        _apply(people, audit, ("transition", action, actor, outcome))
    return 1


def _apply(people, audit, step):
    kind, argument, actor_name, outcome = step
    actor = _actor(people, actor_name)
    if kind == "advance":
        return _advance(people, audit, argument, outcome)
    if kind == "transition":
        operations.apply_transition(
            actor,
            audit,
            argument,
            "Un commentaire.",
            outcome=outcome if argument == "decide" else None,
            motivation="Motivation du comité." if argument == "decide" else "",
            conditions=["Une condition."] if outcome == "approved_with_conditions" else None,
        )
        return True
    if kind == "answer":
        for code in applicable_codes(audit):
            operations.answer_criterion(actor, audit, code, Answer.yes)
    elif kind == "assign":
        operations.assign_expert(actor, audit, _actor(people, argument))
    elif kind == "score":
        for code in applicable_codes(audit):
            operations.record_score(actor, audit, code, int(argument), "Une justification longue.")
    elif kind == "complete":
        operations.complete_scoring(actor, audit)
    elif kind == "settle":
        for code in compute_result(audit).divergences:
            operations.consolidate_criterion(
                actor, audit, code, int(argument), "Arbitrage de la divergence."
            )
    return False


def _state(audit):
    db.session.expire_all()
    return (
        audit.status,
        audit.lock_version,
        db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.audit_id == audit.id)),
        len(audit.scores),
        len(audit.answers),
        len(audit.assignments),
        len(audit.consolidations),
        len(audit.decisions),
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=5, max_size=50))
# The whole road, surely walked: rejection, appeal, second decision, suspension, reinstatement.
@example(
    steps=[("advance", "0", "company", "rejected")] * 6
    + [("advance", "3", "company", "approved")] * 4
)
@example(
    steps=[("advance", "3", "company", "approved_with_conditions")] * 7
    + [("transition", "appeal", "company", ""), ("advance", "1", "company", "approved")]
)
def test_random_sequences_keep_the_invariants(people, steps):
    solution = make_solution(people.company.organization)
    audit = operations.start_audit(people.company, solution)
    db.session.commit()
    applied = 0
    for step in steps:
        before = _state(audit)
        try:
            is_transition = _apply(people, audit, step)
        except DomainError:
            if step[0] in SINGLE:
                # Refused before writing anything: the transaction itself holds no change.
                db.session.flush()
                assert _state(audit) == before, step
            db.session.rollback()
            assert _state(audit) == before, step
            continue
        db.session.commit()
        applied += is_transition
        status = audit.status
        if status in APPROVED_STATES:
            assert audit.latest_decision is not None
            assert audit.verification_code
            assert compute_result(audit).engine.eliminatory_failures == []
        if status in (S.rejected, S.appealed):
            assert audit.latest_decision.outcome == S.rejected
        transitions = [e for e in audit.events if e.is_transition and e.action != "create"]
        assert len(transitions) == applied
        assert audit.appeal_count <= 1
    # The history replays: each transition leaves from where the previous one arrived.
    arrived = S.draft.value
    for event in (e for e in audit.events if e.is_transition and e.action != "create"):
        assert event.from_status == arrived
        arrived = event.to_status
    assert arrived == audit.status.value
