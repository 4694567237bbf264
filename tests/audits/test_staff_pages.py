"""The experts' and managers' pages as a person reads them: the scoring form's required
justification, "not scored yet" before any level, both justifications beside the levels
of a divergence, and the expert's question at the top of the company's page."""

from __future__ import annotations

import re

from accelerator.audits import operations
from accelerator.audits.report import build_report
from accelerator.audits.states import AuditStatus
from accelerator.extensions import db
from tests.audits.test_pages import sign_in

S = AuditStatus
WHY = "Justification suffisamment détaillée pour le niveau."
AUTOSAVE = {"X-Requested-With": "fetch"}


def _justification_block(page: str, code: str) -> str:
    start = page.index(f'for="{code}-justification"')
    return page[start : page.index("</div>", start)]


def test_the_justification_is_marked_required_and_shows_no_error_before_a_submit(
    client, people, audit_in
):
    audit = audit_in(S.in_review)
    sign_in(client, people.experts[1])
    page = client.get(f"/audits/{audit.id}/evaluation/PEDA").get_data(as_text=True)
    label = _justification_block(page, "PEDA-01")
    assert "facultatif" not in label
    assert "Obligatoire avec le niveau : 20 caractères au moins" in label
    assert "fr-message--error" not in page and "fr-input-group--error" not in page
    # The autosave script is told the rule it shares with the server.
    assert 'data-text-with-choice="20"' in page
    assert "Le niveau sera enregistré avec sa justification" in page


def test_the_page_refuses_a_level_without_justification_and_the_reverse(client, people, audit_in):
    audit = audit_in(S.in_review)
    sign_in(client, people.experts[1])
    no_text = client.post(f"/audits/{audit.id}/evaluation/PEDA", data={"PEDA-01-level": "2"})
    assert no_text.status_code == 422
    assert "Une justification accompagne obligatoirement le niveau" in no_text.get_data(
        as_text=True
    )
    no_level = client.post(
        f"/audits/{audit.id}/evaluation/PEDA", data={"PEDA-01-justification": WHY}
    )
    assert no_level.status_code == 422
    assert "Choisissez le niveau que cette justification explique" in no_level.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert [s for s in audit.scores if s.expert_id == people.experts[1].id] == []
    # The background save follows the same rule as the API: a level with its justification.
    saved = client.post(
        f"/audits/{audit.id}/evaluation/PEDA",
        headers=AUTOSAVE,
        data={"PEDA-01-level": "2", "PEDA-01-justification": WHY},
    )
    assert saved.status_code == 200 and saved.json["saved"] == 1


def test_a_fresh_audit_reads_not_scored_yet(client, api, people, audit_in):
    audit = audit_in(S.submitted)
    for expert in people.experts:
        operations.assign_expert(people.manager, audit, expert)
    operations.apply_transition(people.manager, audit, "admit")
    db.session.commit()
    sign_in(client, people.manager)
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert "Pas encore noté" in page
    assert "0 / 100" not in page and "refuser" not in page
    result = api.get(f"/audits/{audit.id}/result", user=people.manager).json
    assert result["scored"] is False
    report = build_report(audit)
    assert report.startswith(b"%PDF")
    # Once a level is recorded the figures appear.
    operations.record_score(people.experts[0], audit, "PEDA-01", 2, WHY)
    db.session.commit()
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert "Pas encore noté" not in page and re.search(r"\d+ / 100", page)
    assert api.get(f"/audits/{audit.id}/result", user=people.manager).json["scored"] is True


def test_arbitration_shows_both_justifications_beside_the_levels(client, people, audit_in):
    audit = audit_in(S.submitted)
    for expert in people.experts:
        operations.assign_expert(people.manager, audit, expert)
    operations.apply_transition(people.manager, audit, "admit")
    first, second = people.experts
    for code in ("RGPD-01", "RGPD-02", "PEDA-02"):
        operations.record_score(first, audit, code, 3, WHY)
        operations.record_score(second, audit, code, 3, WHY)
    operations.record_score(first, audit, "PEDA-01", 3, "Tous les supports sont accessibles.")
    operations.record_score(second, audit, "PEDA-01", 1, "Aucune adaptation pour la classe.")
    db.session.commit()
    sign_in(client, people.manager)
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    section = page[page.index('id="divergences"') :]
    section = section[: section.index("</section>")]
    assert f"{first.full_name} : niveau 3</strong> — Tous les supports sont accessibles." in section
    assert f"{second.full_name} : niveau 1</strong> — Aucune adaptation pour la classe." in section


def test_the_question_is_at_the_top_of_the_companys_page(client, people, audit_in):
    audit = audit_in(S.in_review)
    operations.apply_transition(
        people.experts[0], audit, "request_info", "Merci de préciser l'hébergement des données."
    )
    db.session.commit()
    sign_in(client, people.company)
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    question = page.index("Merci de préciser l&#39;hébergement des données.")
    assert question < page.index('id="actions-title"') < page.index('id="historique"')
    callout = page[page.index('id="question"') : question]
    assert "Informations demandées" in callout or "Information demandée" in callout
    assert people.experts[0].full_name not in callout  # the company reads "un expert"
    # Once answered, the question leaves the top of the page (it stays in the history).
    operations.apply_transition(people.company, audit, "respond", "Hébergement chez OVHcloud.")
    db.session.commit()
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert 'id="question"' not in page
