"""The audit's history records what happened, not every save: a finished pass, a level
changed after it (old and new), a settlement, the transitions; it reads in words and is
paginated on the audit's page."""

from __future__ import annotations

import re

import pytest

from accelerator.audits import operations
from accelerator.audits.states import AuditStatus
from accelerator.extensions import db
from tests.audits.test_pages import sign_in

S = AuditStatus
WHY = "Justification suffisamment détaillée pour le niveau."
AUTOSAVE = {"X-Requested-With": "fetch"}


def _history(api, audit, user) -> list[dict]:
    return api.get(f"/audits/{audit.id}", user=user).json["history"]


def _actions(api, audit, user) -> list[str]:
    return [e["action"] for e in _history(api, audit, user)]


def _first_pass_finished(audit_in, people):
    """An audit in review whose first expert scored 3 everywhere and finished the pass."""
    audit = audit_in(S.in_review, level=3)
    operations.complete_scoring(people.experts[0], audit)
    db.session.commit()
    return audit


def test_autosaves_of_the_first_pass_write_no_history(client, api, people, audit_in):
    audit = audit_in(S.submitted)
    for expert in people.experts:
        operations.assign_expert(people.manager, audit, expert)
    operations.apply_transition(people.manager, audit, "admit")
    db.session.commit()
    expert = people.experts[0]
    before = _actions(api, audit, people.manager)
    sign_in(client, expert)
    # An expert hesitating: thirty background saves on one criterion, then the others.
    for n in range(30):
        response = client.post(
            f"/audits/{audit.id}/evaluation/PEDA",
            headers=AUTOSAVE,
            data={"PEDA-01-level": str(n % 4), "PEDA-01-justification": WHY},
        )
        assert response.status_code == 200
    for code in ("RGPD-01", "RGPD-02", "PEDA-01", "PEDA-02"):
        operations.record_score(expert, audit, code, 2, WHY)
    db.session.commit()
    assert _actions(api, audit, people.manager) == before
    # Finishing the pass is the one row, holding the levels of that moment.
    assert client.post(f"/audits/{audit.id}/evaluation/terminer").status_code == 302
    history = _history(api, audit, people.manager)
    assert [e["action"] for e in history] == [*before, "scoring_complete"]
    assert history[-1]["data"]["levels"] == {"RGPD-01": 2, "RGPD-02": 2, "PEDA-01": 2, "PEDA-02": 2}


def test_a_level_changed_after_the_pass_is_one_row_with_old_and_new(api, people, audit_in):
    audit = _first_pass_finished(audit_in, people)
    expert = people.experts[0]
    operations.record_score(expert, audit, "PEDA-01", 1, WHY)
    operations.record_score(expert, audit, "PEDA-01", 1, WHY + " Reformulée.")  # same level
    db.session.commit()
    changes = [e for e in _history(api, audit, people.manager) if e["action"] == "score"]
    assert len(changes) == 1
    assert changes[0]["data"] == {"criterion": "PEDA-01", "level": 1, "previous_level": 3}


def test_the_page_says_each_fact_with_its_values(client, people, audit_in):
    audit = _first_pass_finished(audit_in, people)
    operations.record_score(people.experts[0], audit, "PEDA-02", 1, WHY)
    db.session.commit()
    sign_in(client, people.manager)
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    history = page[page.index('id="historique"') :]
    assert "PEDA-02 : niveau 3 → 1" in history
    assert "4 critères notés" in history
    assert people.experts[0].full_name in history  # the assignment names the expert
    assert not re.search(r"niveau\s*\)", history)  # never a level without its value


def test_company_answers_in_draft_are_drafts_and_changes_after_submission_count(
    api, people, audit_in
):
    audit = audit_in(S.draft)
    for answer in ("no", "partial", "yes"):
        operations.answer_criterion(people.company, audit, "PEDA-01", answer, "Réponse.")
    db.session.commit()
    assert "self_assessment" not in _actions(api, audit, people.manager)
    asked = audit_in(S.info_requested)
    operations.answer_criterion(people.company, asked, "PEDA-01", "partial", "Précisé.")
    operations.answer_criterion(people.company, asked, "PEDA-01", "partial", "Précisé encore.")
    db.session.commit()
    rows = [e for e in _history(api, asked, people.manager) if e["action"] == "self_assessment"]
    assert len(rows) == 1
    assert rows[0]["data"]["previous_answer"] == "yes" and rows[0]["data"]["answer"] == "partial"


def test_a_blind_expert_does_not_read_the_other_experts_pass(api, people, audit_in):
    audit = _first_pass_finished(audit_in, people)  # the second expert has not
    blind = people.experts[1]
    assert "scoring_complete" in _actions(api, audit, people.manager)
    assert "scoring_complete" not in _actions(api, audit, blind)


@pytest.fixture
def long_history(people, audit_in):
    """An approved audit whose approval was suspended and reinstated 15 times."""
    audit = audit_in(S.approved)
    for n in range(15):
        operations.suspend_approval(people.manager, audit, f"Suspension {n}")
        operations.reinstate_approval(people.manager, audit, f"Rétablissement {n}")
    db.session.commit()
    return audit


def test_the_history_is_paginated_newest_first(client, people, long_history):
    sign_in(client, people.manager)
    first = client.get(f"/audits/{long_history.id}").get_data(as_text=True)
    assert "Rétablissement 14" in first and "Suspension 0" not in first
    assert f'href="/audits/{long_history.id}?page=2#historique"' in first
    second = client.get(f"/audits/{long_history.id}?page=2").get_data(as_text=True)
    assert "Suspension 0" in second and "Rétablissement 14" not in second
    assert client.get(f"/audits/{long_history.id}?page=9").status_code == 404
    assert client.get(f"/audits/{long_history.id}?page=x").status_code == 404
