"""After the decision: appeal (once, within two months), the second decision, suspension,
renewal prefilled from the last self-assessment, and the expiry reminder (once)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from accelerator.audits.cli import remind
from accelerator.audits.demo import drive_audit
from accelerator.audits.models import Answer, Audit, Evidence
from accelerator.audits.states import AuditStatus
from accelerator.core.db import utcnow
from accelerator.extensions import db
from tests.audits.factories import make_framework_version
from tests.audits.test_evidence import PDF

S = AuditStatus


def _act(api, audit, user, action, **body):
    return api.post(
        f"/audits/{audit.id}/transitions",
        user=user,
        json={"action": action, "comment": "Nos arguments détaillés.", **body},
    )


def _backdate_decision(audit, days: int):
    audit.latest_decision.decided_at = utcnow() - timedelta(days=days)
    db.session.commit()


def test_appeal_once_then_a_second_decision(api, people, audit_in):
    audit = audit_in(S.rejected)
    response = _act(api, audit, people.company, "appeal")
    assert response.status_code == 200 and response.json["appeal_count"] == 1
    assert _act(api, audit, people.manager, "reopen").json["status"] == "committee"
    second = _act(
        api,
        audit,
        people.manager,
        "decide",
        outcome="rejected",
        motivation="Le recours ne change pas l'appréciation.",
    )
    assert second.status_code == 200
    assert [d["round"] for d in second.json["decisions"]] == [1, 2]
    refused = _act(api, audit, people.company, "appeal")
    assert refused.status_code == 409
    assert "un seul recours" in refused.json["detail"]


@pytest.mark.parametrize(("days", "status"), [(55, 200), (70, 409)])
def test_appeal_within_two_months_of_the_rejection(api, people, audit_in, days, status):
    audit = audit_in(S.rejected)
    _backdate_decision(audit, days)
    response = _act(api, audit, people.company, "appeal")
    assert response.status_code == status
    if status == 409:
        assert "deux mois" in response.json["detail"]


def test_appeal_needs_arguments(api, people, audit_in):
    audit = audit_in(S.rejected)
    response = _act(api, audit, people.company, "appeal", comment="")
    assert response.status_code == 422 and "comment" in response.json["errors"]


def test_suspension_hides_nothing_and_reinstates(api, people, audit_in):
    audit = audit_in(S.approved)
    code = audit.verification_code
    assert _act(api, audit, people.manager, "suspend").json["status"] == "suspended"
    response = _act(api, audit, people.manager, "reinstate")
    assert response.json["status"] == "approved"
    assert response.json["verification_code"] == code


def _upload(api, audit, user):
    return api.post(
        f"/audits/{audit.id}/evidence",
        user=user,
        data={"file": (io.BytesIO(PDF), "politique.pdf")},
        content_type="multipart/form-data",
    ).json["id"]


def test_renewal_prefills_the_answers_that_still_exist(api, people, audit_in):
    audit = audit_in(S.draft)
    evidence_id = _upload(api, audit, people.company)
    drive_audit(audit, S.approved, people.company, people.manager, people.experts)
    # The last self-assessment cites the evidence on PEDA-01 (set here, after the fact).
    answer = next(a for a in audit.answers if a.criterion_code == "PEDA-01")
    answer.answer, answer.comment = Answer.partial, "Notre méthode."
    answer.evidence = [db.session.get(Evidence, evidence_id)]
    db.session.commit()
    # A new version comes into force: PEDA-02 is gone, ACC-01 is new.
    audit.framework_version.status = "retired"
    db.session.flush()
    new_version = make_framework_version(
        {
            "RGPD": [{"code": "RGPD-01", "eliminatory": True, "min_level": 2}],
            "PEDA": [{"code": "PEDA-01"}, {"code": "ACC-01"}],
        },
        version="2027.1",
    )
    db.session.commit()
    assert api.post(f"/audits/{audit.id}/renew", user=people.manager).status_code == 403
    assert api.post(f"/audits/{audit.id}/renew", user=people.other_company).status_code == 404
    response = api.post(f"/audits/{audit.id}/renew", user=people.company)
    assert response.status_code == 201, response.json
    assert response.json["framework_version_id"] == new_version.id
    renewed = api.get(f"/audits/{response.json['id']}", user=people.company).json
    assert renewed["status"] == "draft" and renewed["renewed_from_id"] == audit.id
    answers = {a["criterion_code"]: a for a in renewed["self_assessment"]}
    assert set(answers) == {"RGPD-01", "PEDA-01"}
    assert (answers["PEDA-01"]["answer"], answers["PEDA-01"]["comment"]) == (
        "partial",
        "Notre méthode.",
    )
    assert len(renewed["evidence"]) == 1
    assert answers["PEDA-01"]["evidence_ids"] == [renewed["evidence"][0]["id"]]
    assert renewed["evidence"][0]["id"] != evidence_id  # a row of its own, the same file
    # One open audit per solution: no second renewal.
    assert api.post(f"/audits/{audit.id}/renew", user=people.company).status_code == 409


@pytest.mark.parametrize("state", [S.draft, S.rejected, S.suspended, S.withdrawn])
def test_only_approvals_are_renewed(api, people, audit_in, state):
    audit = audit_in(state)
    assert api.post(f"/audits/{audit.id}/renew", user=people.company).status_code == 409


def test_an_expired_approval_is_renewed(api, people, audit_in):
    audit = audit_in(S.approved)
    audit.valid_until = date.today() - timedelta(days=3)
    db.session.commit()
    assert api.post(f"/audits/{audit.id}/renew", user=people.company).status_code == 201


def test_remind_once_sixty_days_before_expiry(app, people, audit_in, outbox):
    soon = audit_in(S.approved)
    soon.valid_until = date.today() + timedelta(days=59)
    later = audit_in(S.approved_with_conditions)
    later.valid_until = date.today() + timedelta(days=61)
    gone = audit_in(S.approved)
    gone.valid_until = date.today() - timedelta(days=1)
    db.session.commit()
    outbox.clear()
    runner = app.test_cli_runner()
    result = runner.invoke(remind, [])
    assert result.exit_code == 0, result.output
    assert "1 reminder(s) sent." in result.output
    assert [m["To"] for m in outbox] == [people.company.email]
    assert "expire" in outbox[0]["Subject"]
    assert soon.solution.name in outbox[0].get_content()
    db.session.expire_all()
    assert db.session.get(Audit, soon.id).reminded_at is not None
    assert db.session.get(Audit, later.id).reminded_at is None
    # Run again: nobody is told twice.
    result = runner.invoke(remind, [])
    assert "0 reminder(s) sent." in result.output
    assert len(outbox) == 1
    # Later, the other approval enters the window.
    result = runner.invoke(remind, ["--today", (date.today() + timedelta(days=2)).isoformat()])
    assert "1 reminder(s) sent." in result.output


def test_no_reminder_while_a_renewal_is_in_progress(app, api, people, audit_in, outbox):
    audit = audit_in(S.approved)
    audit.valid_until = date.today() + timedelta(days=30)
    db.session.commit()
    assert api.post(f"/audits/{audit.id}/renew", user=people.company).status_code == 201
    outbox.clear()
    result = app.test_cli_runner().invoke(remind, [])
    assert "0 reminder(s) sent." in result.output and outbox == []


def test_history_rows_are_never_changed(audit_in):
    from accelerator.audits.models import HistoryIsAppendOnly

    audit = audit_in(S.submitted)
    event = audit.events[-1]
    event.comment = "réécrit"
    with pytest.raises(HistoryIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(audit.events[-1])
    with pytest.raises(HistoryIsAppendOnly):
        db.session.flush()
    db.session.rollback()
