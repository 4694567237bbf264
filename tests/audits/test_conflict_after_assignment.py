"""A conflict of interest declared after an assignment takes the expert off the open audits
of that company at once: the assignment and their levels go, the history says so, and the
manager who assigned them is told by email. Decided audits keep their record."""

from __future__ import annotations

from sqlalchemy import func, select

from accelerator.audits.models import Assignment, AuditEvent, Score
from accelerator.audits.states import AuditStatus as S
from accelerator.extensions import db

REASON = "J'ai conseillé cette entreprise en 2025."


def _declare(api, expert, organization_id):
    return api.post(
        "/conflicts", user=expert, json={"organization_id": organization_id, "reason": REASON}
    )


def test_the_expert_leaves_the_open_audit_and_the_manager_is_told(api, people, audit_in, outbox):
    audit = audit_in(S.in_review, level=3)  # both experts assigned, every level recorded
    expert, other = people.experts
    assert db.session.scalar(select(func.count(Score.id)).where(Score.expert_id == expert.id))
    outbox.clear()
    assert _declare(api, expert, audit.solution.organization_id).status_code == 201
    assert (
        db.session.scalar(select(Assignment.expert_id).where(Assignment.audit_id == audit.id))
        == other.id
    )
    assert not db.session.scalar(select(func.count(Score.id)).where(Score.expert_id == expert.id))
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.audit_id == audit.id, AuditEvent.action == "unassignment"
        )
    )
    assert event.actor_id == expert.id and event.comment == REASON
    assert api.get(f"/audits/{audit.id}", user=expert).status_code == 404
    [mail] = outbox
    assert mail["To"] == people.manager.email
    assert expert.full_name in mail.get_content() and REASON in mail.get_content()
    history = api.get(f"/audits/{audit.id}", user=people.manager).json["history"]
    assert "unassignment" in [row["action"] for row in history]


def test_decided_audits_keep_their_experts(api, people, audit_in):
    decided = audit_in(S.approved, level=3)
    expert = people.experts[0]
    assert _declare(api, expert, decided.solution.organization_id).status_code == 201
    assert expert.id in {
        a.expert_id
        for a in db.session.scalars(select(Assignment).where(Assignment.audit_id == decided.id))
    }


def test_another_companys_audits_are_untouched(api, people, audit_in):
    audit = audit_in(S.in_review)
    expert = people.experts[0]
    assert _declare(api, expert, people.other_company.organization_id).status_code == 201
    assert (
        db.session.scalar(select(func.count(Assignment.id)).where(Assignment.audit_id == audit.id))
        == 2
    )
