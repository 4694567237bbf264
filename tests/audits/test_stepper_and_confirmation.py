"""The company's audit page shows where the audit stands in a DSFR stepper (draft →
submitted → in review → committee → decided), and its irreversible actions (submit,
withdraw) ask for confirmation in a DSFR modal opened by the DSFR's JavaScript through
aria-controls, without inline script; without JavaScript the same button sends the form."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from accelerator.audits.states import AuditStatus
from accelerator.extensions import db

#: status → (step shown, its title, the next step's title or None)
STEPS = [
    (AuditStatus.draft, 1, "Brouillon", "Soumis"),
    (AuditStatus.submitted, 2, "Soumis", "En cours d&#39;évaluation"),
    (AuditStatus.in_review, 3, "En cours d'évaluation", "Comité"),
    (AuditStatus.info_requested, 3, "En cours d'évaluation", "Comité"),
    (AuditStatus.committee, 4, "Comité", "Décision rendue"),
    (AuditStatus.approved, 5, "Décision rendue", None),
    (AuditStatus.rejected, 5, "Décision rendue", None),
]


def _stepper(html: str) -> str | None:
    found = re.search(r'<div class="fr-stepper[^"]*">(.*?)\n</div>', html, re.S)
    return found.group(1) if found else None


@pytest.mark.parametrize(("status", "number", "title", "following"), STEPS)
def test_the_stepper_says_where_the_audit_stands(
    client, login_as, people, audit_in, status, number, title, following
):
    audit = audit_in(status, level=2)
    login_as(people.company)
    stepper = _stepper(client.get(f"/audits/{audit.id}").get_data(as_text=True))
    assert stepper is not None
    assert f'data-fr-current-step="{number}" data-fr-steps="5"' in stepper
    assert f"Étape {number} sur 5" in stepper
    assert re.search(r'<h2 class="fr-stepper__title">' + re.escape(title), stepper)
    if following:
        assert "Étape suivante :" in stepper and following.replace("&#39;", "'") in stepper
    else:
        assert "Étape suivante" not in stepper


def test_no_stepper_once_withdrawn_nor_for_staff(client, login_as, people, audit_in):
    withdrawn = audit_in(AuditStatus.withdrawn)
    login_as(people.company)
    assert _stepper(client.get(f"/audits/{withdrawn.id}").get_data(as_text=True)) is None
    in_review = audit_in(AuditStatus.in_review)
    client.post("/deconnexion")
    login_as(people.manager)
    assert _stepper(client.get(f"/audits/{in_review.id}").get_data(as_text=True)) is None


@pytest.mark.parametrize(
    ("status", "action", "title", "confirm"),
    [
        (AuditStatus.draft, "submit", "Déposer l'audit ?", "Oui, déposer l'audit"),
        (AuditStatus.draft, "withdraw", "Retirer l'audit ?", "Oui, retirer l'audit"),
        (AuditStatus.in_review, "withdraw", "Retirer l'audit ?", "Oui, retirer l'audit"),
    ],
)
def test_irreversible_actions_open_a_modal_that_sends_the_same_form(
    client, login_as, people, audit_in, status, action, title, confirm
):
    audit = audit_in(status)
    login_as(people.company)
    html = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    form = re.search(rf'<form [^>]*id="action-{action}"[^>]*>(.*?)</form>', html, re.S)
    assert form is not None
    # The form's own button: a submit button (works without JavaScript) that names the
    # modal it opens; the sentence before it says the action cannot be undone.
    button = re.search(r"<button [^>]*data-app-confirm[^>]*>", form.group(1)).group(0)
    assert 'type="submit"' in button and f'aria-controls="confirm-{action}"' in button
    assert 'data-fr-opened="false"' in button
    modal = re.search(rf'<dialog id="confirm-{action}"[^>]*>(.*?)</dialog>', html, re.S)
    assert modal is not None
    assert 'class="fr-modal"' in html and f'aria-labelledby="confirm-{action}-title"' in html
    assert str(escape(title)) in modal.group(1) and str(escape(confirm)) in modal.group(1)
    # Its confirm button sends the action's form (and its comment); the other closes it.
    assert f'<button type="submit" class="fr-btn" form="action-{action}">' in modal.group(1)
    assert (
        f'<button type="button" class="fr-btn fr-btn--secondary" aria-controls="confirm-{action}">'
        in (modal.group(1))
    )


def test_no_inline_script_and_the_module_is_loaded(client, login_as, people, audit_in):
    audit = audit_in(AuditStatus.draft)
    login_as(people.company)
    html = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert '<script type="module" src="/static/js/confirm.js"></script>' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # every script has a src
    assert not re.search(r"\son[a-z]+=", html)  # no onclick= and the like


def test_without_javascript_the_plain_button_still_withdraws(client, login_as, people, audit_in):
    audit = audit_in(AuditStatus.submitted)
    login_as(people.company)
    response = client.post(f"/audits/{audit.id}/actions/withdraw", data={"comment": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(audit), audit.id).status == AuditStatus.withdrawn


def test_the_script_only_holds_back_buttons_that_have_a_modal(app):
    from pathlib import Path

    script = (Path(app.root_path).parent / "static/js/confirm.js").read_text()
    assert "button[data-app-confirm]" in script and "preventDefault" in script
    assert "window.dsfr" in script  # the form is sent as usual when the DSFR did not load
