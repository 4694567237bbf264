"""What the label says stays true: the declarations are frozen at submission, a change
during review is refused, and after approval nothing the company edits reaches the
catalogue before a manager's decision."""

from __future__ import annotations

import pytest

from accelerator.audits.models import AuditEvent, SubstantialChange
from accelerator.audits.states import AuditStatus as S
from accelerator.extensions import db


def _history(audit) -> list[str]:
    rows = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.audit_id == audit.id).order_by(AuditEvent.id)
    )
    return [action.value for action in rows]


def _public(api, solution):
    return api.get(f"/catalogue/{solution.slug}")


def test_submission_freezes_the_declarations(api, people, audit_in):
    audit = audit_in(S.submitted, processes_personal_data=True, hosting_provider="OVHcloud")
    db.session.expire_all()
    assert audit.declarations["processes_personal_data"] is True
    assert audit.declarations["hosting_provider"] == "OVHcloud"
    submit = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.audit_id == audit.id, AuditEvent.action == "submit")
    )
    assert submit.data["declarations"] == audit.declarations


@pytest.mark.parametrize("state", [S.submitted, S.in_review, S.info_requested, S.committee])
@pytest.mark.parametrize(
    "change",
    [
        {"processes_personal_data": False},
        {"gar_compatible": True},
        {"uses_ai": True},
        {"hosting_country": "US"},
        {"hosting_provider": "Autre hébergeur"},
        {"pricing": "paid"},
        {"version": "4.0"},
    ],
)
def test_a_decisive_change_during_review_is_refused(api, people, audit_in, state, change):
    audit = audit_in(state)
    before = audit.solution.declarations()
    events = len(_history(audit))
    response = api.patch(f"/solutions/{audit.solution_id}", user=people.company, json=change)
    assert response.status_code == 409
    assert "gel" in response.json["detail"] or "figé" in response.json["detail"]
    db.session.expire_all()
    assert audit.solution.declarations() == before
    assert len(_history(audit)) == events


def test_texts_may_change_during_review(api, people, audit_in):
    audit = audit_in(S.in_review)
    response = api.patch(
        f"/solutions/{audit.solution_id}", user=people.company, json={"summary": "Nouveau résumé"}
    )
    assert response.status_code == 200


def test_scoring_reads_the_frozen_copy(audit_in):
    from accelerator.audits.results import applicable_codes

    audit = audit_in(S.in_review, processes_personal_data=True)
    # Even a write that bypasses the operations leaves the audit's criteria as submitted.
    audit.solution.processes_personal_data = False
    db.session.flush()
    assert "RGPD-01" in applicable_codes(audit)


@pytest.mark.parametrize("change", [{"gar_compatible": True}, {"hosting_country": "US"}])
def test_after_approval_a_decisive_change_needs_a_substantial_change(api, people, audit_in, change):
    audit = audit_in(S.approved)
    response = api.patch(f"/solutions/{audit.solution_id}", user=people.company, json=change)
    assert response.status_code == 409 and "substantiel" in response.json["detail"]


def test_edited_texts_reach_the_catalogue_only_once_accepted(api, people, audit_in, outbox):
    audit = audit_in(S.approved)
    solution = audit.solution
    approved_summary = _public(api, solution).json["summary"]
    outbox.clear()
    edited = api.patch(
        f"/solutions/{solution.id}",
        user=people.company,
        json={"summary": "Certifiée par le Ministère !", "name": "Super Solution"},
    )
    assert edited.status_code == 200
    assert edited.json["texts_pending_since"] is not None
    public = _public(api, solution).json
    assert public["summary"] == approved_summary and public["name"] != "Super Solution"
    assert people.manager.email in {m["To"] for m in outbox}
    # Only a manager decides.
    assert (
        api.post(f"/solutions/{solution.id}/texts/accept", user=people.company).status_code == 403
    )
    accepted = api.post(f"/solutions/{solution.id}/texts/accept", user=people.manager)
    assert accepted.status_code == 200
    public = _public(api, solution).json
    assert public["summary"] == "Certifiée par le Ministère !"
    again = api.post(f"/solutions/{solution.id}/texts/accept", user=people.manager)
    assert again.status_code == 409
    assert _history(audit)[-2:] == ["texts_submitted", "texts_accepted"]


def test_refused_texts_are_put_back(api, people, audit_in):
    audit = audit_in(S.approved)
    solution = audit.solution
    approved = solution.summary
    api.patch(f"/solutions/{solution.id}", user=people.company, json={"summary": "Meilleure !"})
    no_reason = api.post(f"/solutions/{solution.id}/texts/refuse", user=people.manager, json={})
    assert no_reason.status_code == 422
    refused = api.post(
        f"/solutions/{solution.id}/texts/refuse",
        user=people.manager,
        json={"comment": "Allégation non vérifiable."},
    )
    assert refused.status_code == 200
    db.session.expire_all()
    assert solution.summary == approved and solution.texts_pending_since is None
    assert _public(api, solution).json["summary"] == approved


def _declare(api, people, audit, **declarations):
    return api.post(
        f"/solutions/{audit.solution_id}/changes",
        user=people.company,
        json={
            "description": "Hébergement déplacé et accès par le GAR.",
            "declarations": declarations,
        },
    )


def test_a_substantial_change_keeps_the_approved_page_until_decided(api, people, audit_in):
    audit = audit_in(S.approved, gar_compatible=False)
    declared = _declare(api, people, audit, gar_compatible=True, hosting_country="DE")
    assert declared.status_code == 201 and declared.json["status"] == "under_review"
    public = _public(api, audit.solution).json
    assert public["change_under_review"] is True
    assert public["gar_compatible"] is False  # what was approved
    assert _declare(api, people, audit, gar_compatible=True).status_code == 409
    decided = api.post(
        f"/changes/{declared.json['id']}/decision",
        user=people.manager,
        json={"outcome": "no_impact", "comment": "Hébergeur européen, aucun effet."},
    )
    assert decided.status_code == 200 and decided.json["status"] == "no_impact"
    public = _public(api, audit.solution).json
    assert public["change_under_review"] is False and public["gar_compatible"] is True
    db.session.expire_all()
    assert audit.declarations["hosting_country"] == "DE"
    assert _history(audit)[-2:] == ["change_declared", "change_decided"]


def test_a_change_decided_as_suspension_removes_the_label(api, people, audit_in):
    audit = audit_in(S.approved)
    declared = _declare(api, people, audit, uses_ai=True)
    decided = api.post(
        f"/changes/{declared.json['id']}/decision",
        user=people.manager,
        json={"outcome": "suspension", "comment": "Reconnaissance des émotions ajoutée."},
    )
    assert decided.status_code == 200
    db.session.expire_all()
    assert audit.status == S.suspended
    assert _public(api, audit.solution).status_code == 404


def test_a_partial_reaudit_names_its_domains_and_opens_a_renewal(api, people, audit_in):
    audit = audit_in(S.approved)
    declared = _declare(api, people, audit, uses_ai=True)
    url = f"/changes/{declared.json['id']}/decision"
    body = {"outcome": "partial_reaudit", "comment": "Nouvelle fonction d'IA à auditer."}
    assert api.post(url, user=people.manager, json=body).status_code == 422
    assert api.post(url, user=people.manager, json={**body, "domains": ["NOPE"]}).status_code == 422
    decided = api.post(url, user=people.manager, json={**body, "domains": ["PEDA"]})
    assert decided.status_code == 200 and decided.json["reaudit_id"]
    change = db.session.get(SubstantialChange, declared.json["id"])
    assert change.reaudit.status == S.draft and change.reaudit.renewed_from_id == audit.id
    # The approval stays public while the re-audit runs.
    assert _public(api, audit.solution).status_code == 200


def test_only_an_approved_solution_declares_a_change(api, people, audit_in):
    audit = audit_in(S.draft)
    assert _declare(api, people, audit, uses_ai=True).status_code == 409


# --- Pages -----------------------------------------------------------------------------------


def test_the_change_pages(client, login_as, api, people, audit_in):
    audit = audit_in(S.approved)
    solution = audit.solution
    login_as(people.company)
    form = client.get(f"/mes-solutions/{solution.id}/changement-substantiel")
    assert form.status_code == 200 and "changement substantiel" in form.get_data(as_text=True)
    empty = client.post(
        f"/mes-solutions/{solution.id}/changement-substantiel", data={"pricing": "free"}
    )
    assert empty.status_code == 422
    declared = client.post(
        f"/mes-solutions/{solution.id}/changement-substantiel",
        data={"description": "Ajout d'un tuteur par IA.", "uses_ai": "y", "pricing": "free"},
    )
    assert declared.status_code == 302
    public = client.get(f"/catalogue/{solution.slug}").get_data(as_text=True)
    assert "Réseau Canopé l'examine" in public
    client.post("/deconnexion")
    login_as(people.manager)
    page = client.get(f"/mes-solutions/{solution.id}").get_data(as_text=True)
    assert "Décider du changement" in page
    change = db.session.scalar(
        db.select(SubstantialChange).where(SubstantialChange.solution_id == solution.id)
    )
    decided = client.post(
        f"/changements/{change.id}/decision",
        data={"outcome": "no_impact", "comment": "Tuteur sans donnée d'élève."},
    )
    assert decided.status_code == 302
    db.session.expire_all()
    assert change.outcome is not None and solution.uses_ai is True
