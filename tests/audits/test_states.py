"""The transition table (states.TRANSITIONS), row by row, through the API: who may take each
action from which state, and what every refusal answers (the audit being left unchanged)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from accelerator.audits.models import Answer, Audit, AuditEvent
from accelerator.audits.operations import answer_criterion, assign_expert, record_score
from accelerator.audits.results import applicable_codes
from accelerator.audits.states import TRANSITIONS, AuditStatus
from accelerator.extensions import db

S = AuditStatus
#: every state an audit is stored in (expired is only read)
STORED = [s for s in S if s != S.expired]
DECIDE = {"outcome": "approved", "motivation": "Le comité approuve la solution."}


def _body(action: str, **extra) -> dict:
    body = {"action": action, "comment": "Un commentaire utile."}
    if action == "decide":
        body.update(DECIDE)
    return {**body, **extra}


def _answer_all(audit, people):
    for code in applicable_codes(audit):
        answer_criterion(people.company, audit, code, Answer.yes)


def _assign_two(audit, people):
    for expert in people.experts:
        assign_expert(people.manager, audit, expert)


def _score_all(audit, people):
    for expert in people.experts:
        for code in applicable_codes(audit):
            record_score(expert, audit, code, 3, "Justification assez longue ici.")


# (action, from, actor, extra body, preparation, expected status)
ALLOWED = [
    ("submit", S.draft, "company", {}, _answer_all, S.submitted),
    *[("withdraw", s, "company", {}, None, S.withdrawn) for s in TRANSITIONS["withdraw"].sources],
    ("declare_inadmissible", S.submitted, "manager", {}, None, S.inadmissible),
    ("admit", S.submitted, "manager", {}, _assign_two, S.in_review),
    ("request_info", S.in_review, "expert", {}, None, S.info_requested),
    ("request_info", S.in_review, "manager", {}, None, S.info_requested),
    ("respond", S.info_requested, "company", {}, None, S.in_review),
    ("send_to_committee", S.in_review, "manager", {}, _score_all, S.committee),
    ("decide", S.committee, "manager", {"outcome": "approved"}, None, S.approved),
    (
        "decide",
        S.committee,
        "manager",
        {"outcome": "approved_with_conditions", "conditions": ["Publier la déclaration RGAA."]},
        None,
        S.approved_with_conditions,
    ),
    ("decide", S.committee, "manager", {"outcome": "rejected"}, None, S.rejected),
    ("suspend", S.approved, "manager", {}, None, S.suspended),
    ("suspend", S.approved_with_conditions, "manager", {}, None, S.suspended),
    ("reinstate", S.suspended, "manager", {}, None, S.approved),
    ("appeal", S.rejected, "company", {}, None, S.appealed),
    ("reopen", S.appealed, "manager", {}, None, S.committee),
]

#: the actor who may take each action (used to show wrong states give 409)
ACTOR = {
    "submit": "company",
    "withdraw": "company",
    "declare_inadmissible": "manager",
    "admit": "manager",
    "request_info": "manager",
    "respond": "company",
    "send_to_committee": "manager",
    "decide": "manager",
    "suspend": "manager",
    "reinstate": "manager",
    "appeal": "company",
    "reopen": "manager",
}


def _user(people, kind):
    return {
        "company": people.company,
        "manager": people.manager,
        "expert": people.experts[0],
        "other_company": people.other_company,
        "other_expert": people.other_expert,
        "admin": people.admin,
        "teacher": people.teacher,
        "trainer": people.trainer,
    }[kind]


def _snapshot(audit_id):
    db.session.expire_all()
    audit = db.session.get(Audit, audit_id)
    events = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.audit_id == audit_id)
    )
    return audit.status, audit.lock_version, events, len(audit.decisions)


def test_the_table_covers_every_action():
    assert set(ACTOR) == set(TRANSITIONS)
    assert {row[0] for row in ALLOWED} == set(TRANSITIONS)


@pytest.mark.parametrize(
    ("action", "source", "actor", "extra", "prepare", "target"),
    ALLOWED,
    ids=[f"{r[0]}-{r[1].value}-{r[2]}-{r[5].value}" for r in ALLOWED],
)
def test_allowed_transition(api, people, audit_in, action, source, actor, extra, prepare, target):
    audit = audit_in(source)
    if prepare:
        prepare(audit, people)
        db.session.commit()
    _, _, events_before, _ = _snapshot(audit.id)
    response = api.post(
        f"/audits/{audit.id}/transitions", user=_user(people, actor), json=_body(action, **extra)
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == target.value
    status, _, events_after, _ = _snapshot(audit.id)
    assert status == target
    assert events_after == events_before + 1
    last = response.json["history"][-1]
    assert (last["action"], last["from"], last["to"]) == (action, source.value, target.value)


@pytest.mark.parametrize(
    ("action", "state"),
    [(a, s) for a, t in TRANSITIONS.items() for s in STORED if s not in t.sources],
)
def test_wrong_state_is_a_conflict(api, people, audit_in, action, state):
    audit = audit_in(state)
    before = _snapshot(audit.id)
    response = api.post(
        f"/audits/{audit.id}/transitions",
        user=_user(people, ACTOR[action]),
        json=_body(action),
    )
    assert response.status_code == 409, response.json
    assert response.content_type == "application/problem+json"
    assert response.json["detail"]
    assert _snapshot(audit.id) == before


KIND_OF_ACTOR = {"company": "company", "manager": "manager", "assigned_expert": "expert"}
NEVER = [
    (action, kind)
    for action, t in TRANSITIONS.items()
    for kind in ("company", "manager", "expert", "admin", "teacher", "trainer")
    if kind not in {KIND_OF_ACTOR[a] for a in t.actors}
]


@pytest.mark.parametrize(("action", "kind"), NEVER)
def test_role_never_allowed_is_forbidden(api, people, audit_in, action, kind):
    audit = audit_in(TRANSITIONS[action].sources[0])
    before = _snapshot(audit.id)
    response = api.post(
        f"/audits/{audit.id}/transitions", user=_user(people, kind), json=_body(action)
    )
    assert response.status_code == 403, response.json
    assert _snapshot(audit.id) == before


OUTSIDERS = [
    (action, "other_company") for action, t in TRANSITIONS.items() if "company" in t.actors
] + [(action, "other_expert") for action, t in TRANSITIONS.items() if "assigned_expert" in t.actors]


@pytest.mark.parametrize(("action", "kind"), OUTSIDERS)
def test_outsiders_do_not_see_the_audit(api, people, audit_in, action, kind):
    audit = audit_in(TRANSITIONS[action].sources[0])
    before = _snapshot(audit.id)
    response = api.post(
        f"/audits/{audit.id}/transitions", user=_user(people, kind), json=_body(action)
    )
    assert response.status_code == 404
    assert _snapshot(audit.id) == before


def test_unknown_action_is_invalid(api, people, audit_in):
    audit = audit_in(S.draft)
    response = api.post(
        f"/audits/{audit.id}/transitions", user=people.company, json={"action": "approve"}
    )
    assert response.status_code == 422
    assert "action" in response.json["errors"]


@pytest.mark.parametrize(
    "action", [a for a, t in TRANSITIONS.items() if t.needs_comment and a != "request_info"]
)
def test_comment_required(api, people, audit_in, action):
    audit = audit_in(TRANSITIONS[action].sources[0])
    before = _snapshot(audit.id)
    response = api.post(
        f"/audits/{audit.id}/transitions",
        user=_user(people, ACTOR[action]),
        json={"action": action, "comment": "   "},
    )
    assert response.status_code == 422
    assert "comment" in response.json["errors"]
    assert _snapshot(audit.id) == before


@pytest.mark.parametrize(
    ("action", "prepare", "reason"),
    [
        ("submit", None, "RGPD-01"),
        ("admit", None, "2"),
        ("send_to_committee", None, "RGPD-01"),
    ],
)
def test_guards_refuse_with_their_reason(api, people, audit_in, action, prepare, reason):
    source = TRANSITIONS[action].sources[0]
    audit = audit_in(source)
    before = _snapshot(audit.id)
    response = api.post(
        f"/audits/{audit.id}/transitions",
        user=_user(people, ACTOR[action]),
        json=_body(action),
    )
    assert response.status_code == 409
    assert reason in response.json["detail"]
    assert _snapshot(audit.id) == before


def test_reinstate_returns_to_the_state_before_suspension(api, people, audit_in):
    audit = audit_in(S.approved_with_conditions)
    for action, expected in (("suspend", S.suspended), ("reinstate", S.approved_with_conditions)):
        response = api.post(
            f"/audits/{audit.id}/transitions", user=people.manager, json=_body(action)
        )
        assert response.status_code == 200
        assert response.json["status"] == expected.value


def test_an_expired_approval_reads_expired_and_can_still_be_suspended(api, people, audit_in):
    from datetime import date, timedelta

    audit = audit_in(S.approved)
    audit.valid_until = date.today() - timedelta(days=1)
    db.session.commit()
    body = api.get(f"/audits/{audit.id}", user=people.company).json
    assert (body["status"], body["stored_status"]) == ("expired", "approved")
    listed = api.get("/audits?status=expired", user=people.manager).json
    assert [a["id"] for a in listed["items"]] == [audit.id]
    assert api.get("/audits?status=approved", user=people.manager).json["total"] == 0
