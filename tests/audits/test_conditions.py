"""Conditions of an approval are followed: a due date each, the company's evidence, the
manager's judgement, one reminder when overdue then one proposal to suspend, and the public
page showing each condition's state."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from accelerator.audits import operations
from accelerator.audits.models import AuditEvent, Condition, ConditionStatus
from accelerator.audits.operations.conditions import ESCALATION_DAYS
from accelerator.audits.states import AuditStatus as S
from accelerator.extensions import db


@pytest.fixture
def approved(audit_in):
    audit = audit_in(S.approved_with_conditions)
    db.session.expire_all()
    return audit


def _condition(audit) -> Condition:
    return audit.latest_decision.conditions[0]


def _actions(audit) -> list[str]:
    rows = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.audit_id == audit.id).order_by(AuditEvent.id)
    )
    return [a.value for a in rows]


def test_every_condition_has_a_due_date(approved):
    assert all(c.due_date is not None for c in approved.latest_decision.conditions)
    assert _condition(approved).status == ConditionStatus.open


def test_evidence_then_judgement(api, people, approved, outbox):
    condition = _condition(approved)
    outbox.clear()
    submitted = api.post(
        f"/conditions/{condition.id}/evidence",
        user=people.company,
        json={"note": "Déclaration d'accessibilité publiée le 1er décembre."},
    )
    assert submitted.status_code == 200 and submitted.json["status"] == "evidence_submitted"
    assert people.manager.email in {m["To"] for m in outbox}
    assert (
        api.post(
            f"/conditions/{condition.id}/judgement", user=people.company, json={"met": True}
        ).status_code
        == 403
    )
    no_reason = api.post(
        f"/conditions/{condition.id}/judgement", user=people.manager, json={"met": False}
    )
    assert no_reason.status_code == 422
    refused = api.post(
        f"/conditions/{condition.id}/judgement",
        user=people.manager,
        json={"met": False, "comment": "La déclaration ne donne pas le taux."},
    )
    assert refused.status_code == 200 and refused.json["status"] == "not_met"
    api.post(
        f"/conditions/{condition.id}/evidence",
        user=people.company,
        json={"note": "Taux de conformité ajouté : 82 %."},
    )
    met = api.post(f"/conditions/{condition.id}/judgement", user=people.manager, json={"met": True})
    assert met.status_code == 200 and met.json["status"] == "met" and met.json["fulfilled_at"]
    again = api.post(
        f"/conditions/{condition.id}/evidence", user=people.company, json={"note": "Encore."}
    )
    assert again.status_code == 409
    assert _actions(approved)[-4:] == [
        "condition_evidence",
        "condition_judged",
        "condition_evidence",
        "condition_judged",
    ]


def test_another_company_cannot_touch_the_condition(api, people, approved):
    condition = _condition(approved)
    response = api.post(
        f"/conditions/{condition.id}/evidence", user=people.other_company, json={"note": "x"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("days_after_due", "runs", "reminders", "proposals"),
    [
        (-1, 1, 0, 0),  # not due yet
        (1, 1, 1, 0),  # overdue: one reminder
        (1, 3, 1, 0),  # the same day again: nothing more
    ],
)
def test_follow_up_of_overdue_conditions(approved, days_after_due, runs, reminders, proposals):
    condition = _condition(approved)
    today = condition.due_date + timedelta(days=days_after_due)
    total_reminded = total_proposed = 0
    for _ in range(runs):
        done = operations.follow_up_conditions(today)
        total_reminded += done.reminded
        total_proposed += done.proposed
    assert (total_reminded, total_proposed) == (reminders, proposals)


def test_a_reminder_then_a_proposal_to_suspend(people, approved, outbox):
    condition = _condition(approved)
    first = condition.due_date + timedelta(days=1)
    outbox.clear()
    assert operations.follow_up_conditions(first).reminded == 1
    db.session.commit()
    assert {m["To"] for m in outbox} == {people.company.email}
    early = operations.follow_up_conditions(first + timedelta(days=ESCALATION_DAYS - 1))
    assert (early.reminded, early.proposed) == (0, 0)
    outbox.clear()
    later = operations.follow_up_conditions(first + timedelta(days=ESCALATION_DAYS))
    db.session.commit()
    assert later.proposed == 1
    assert people.manager.email in {m["To"] for m in outbox}
    # A proposal, never a suspension by itself.
    db.session.expire_all()
    assert approved.status == S.approved_with_conditions
    assert _actions(approved)[-2:] == ["condition_reminder", "condition_suspension_proposed"]


def test_a_met_condition_is_not_followed_up(api, people, approved):
    condition = _condition(approved)
    api.post(f"/conditions/{condition.id}/evidence", user=people.company, json={"note": "Fait."})
    api.post(f"/conditions/{condition.id}/judgement", user=people.manager, json={"met": True})
    assert operations.follow_up_conditions(condition.due_date + timedelta(days=60)).reminded == 0


def test_the_cli_follows_up(app, approved):
    condition = _condition(approved)
    day = (condition.due_date + timedelta(days=1)).isoformat()
    result = app.test_cli_runner().invoke(args=["audits", "conditions", "--today", day])
    assert result.exit_code == 0 and "1 reminder" in result.output


def test_the_public_page_shows_each_condition_state(api, people, approved):
    condition = _condition(approved)
    slug = approved.solution.slug
    before = api.get(f"/catalogue/{slug}").json["conditions"]
    assert [c["status"] for c in before] == ["open"]
    api.post(f"/conditions/{condition.id}/evidence", user=people.company, json={"note": "Fait."})
    api.post(f"/conditions/{condition.id}/judgement", user=people.manager, json={"met": True})
    after = api.get(f"/catalogue/{slug}").json["conditions"]
    assert [c["status"] for c in after] == ["met"] and after[0]["fulfilled"] is True
    assert date.fromisoformat(after[0]["due_date"]) == condition.due_date


def test_the_audit_page_carries_the_condition_forms(client, login_as, people, approved):
    condition = _condition(approved)
    login_as(people.company)
    page = client.get(f"/audits/{approved.id}").get_data(as_text=True)
    assert "Envoyer le justificatif" in page
    prefix = f"condition-{condition.id}"
    empty = client.post(f"/conditions/{condition.id}/justificatif", data={f"{prefix}-note": ""})
    assert empty.status_code == 302
    db.session.expire_all()
    assert condition.status == ConditionStatus.open
    sent = client.post(
        f"/conditions/{condition.id}/justificatif", data={f"{prefix}-note": "Publiée hier."}
    )
    assert sent.status_code == 302
    client.post("/deconnexion")
    login_as(people.manager)
    assert "Enregistrer" in client.get(f"/audits/{approved.id}").get_data(as_text=True)
    client.post(f"/conditions/{condition.id}/examen", data={f"{prefix}-met": "yes"})
    db.session.expire_all()
    assert condition.status == ConditionStatus.met
