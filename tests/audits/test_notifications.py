"""Who is emailed on each transition, in French, and only once the change is committed."""

from __future__ import annotations

import pytest

from accelerator.accounts.models import Role
from accelerator.audits import operations
from accelerator.audits.states import AuditStatus
from accelerator.extensions import db
from tests.factories import make_user

S = AuditStatus


def _recipients(outbox) -> set[str]:
    return {m["To"] for m in outbox}


@pytest.mark.parametrize(
    ("state", "action", "actor", "experts", "managers"),
    [
        (S.draft, "withdraw", "company", False, False),
        (S.submitted, "declare_inadmissible", "manager", False, False),
        (S.in_review, "request_info", "manager", False, False),
        (S.info_requested, "respond", "company", True, True),
        (S.rejected, "appeal", "company", False, True),
        (S.approved, "suspend", "manager", False, False),
    ],
)
def test_transition_emails(api, people, audit_in, outbox, state, action, actor, experts, managers):
    colleague = make_user(Role.company, organization=people.company.organization)
    audit = audit_in(state)
    outbox.clear()
    user = people.company if actor == "company" else people.manager
    response = api.post(
        f"/audits/{audit.id}/transitions",
        user=user,
        json={"action": action, "comment": "Précision demandée sur l'hébergement."},
    )
    assert response.status_code == 200
    expected = {people.company.email, colleague.email}
    if experts:
        expected |= {e.email for e in people.experts}
    if managers:
        expected.add(people.manager.email)
    assert _recipients(outbox) == expected
    assert people.other_company.email not in _recipients(outbox)
    company_mail = next(m for m in outbox if m["To"] == people.company.email)
    assert audit.solution.name in company_mail["Subject"]
    body = company_mail.get_content()
    assert "Bonjour" in body and "Précision demandée sur l'hébergement." in body


def test_submit_and_admit_tell_managers_then_experts(api, people, audit_in, outbox):
    audit = audit_in(S.draft)
    from tests.audits.test_states import _answer_all, _assign_two

    _answer_all(audit, people)
    db.session.commit()
    outbox.clear()
    api.post(f"/audits/{audit.id}/transitions", user=people.company, json={"action": "submit"})
    assert _recipients(outbox) == {people.company.email, people.manager.email}
    _assign_two(audit, people)
    db.session.commit()
    outbox.clear()
    api.post(f"/audits/{audit.id}/transitions", user=people.manager, json={"action": "admit"})
    assert _recipients(outbox) == {people.company.email} | {e.email for e in people.experts}
    assert all("Audit admis" in m["Subject"] for m in outbox)


def test_no_email_when_the_change_is_rolled_back(people, audit_in, outbox):
    audit = audit_in(S.draft)
    outbox.clear()
    operations.apply_transition(people.company, audit, "withdraw", "Finalement non.")
    db.session.rollback()
    assert outbox == []
    db.session.commit()
    assert outbox == []


def test_refused_transitions_send_nothing(api, people, audit_in, outbox):
    audit = audit_in(S.draft)
    outbox.clear()
    response = api.post(
        f"/audits/{audit.id}/transitions", user=people.company, json={"action": "submit"}
    )
    assert response.status_code == 409
    assert outbox == []
