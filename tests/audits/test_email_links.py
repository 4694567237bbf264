"""Links in audit emails open the audit's page for the person who receives them, on the
service's public address (PUBLIC_BASE_URL), never a JSON resource of the API."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest

from accelerator.audits import operations
from accelerator.audits.states import AuditStatus
from accelerator.extensions import db
from tests.factories import PASSWORD

S = AuditStatus
BASE = "https://accelerateur.example"


@pytest.fixture
def public_base(app):
    previous = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = BASE
    yield BASE
    app.config["PUBLIC_BASE_URL"] = previous


def _link(message) -> str:
    links = re.findall(r"https?://\S+", message.get_content())
    assert len(links) == 1, links
    return links[0]


def _opened_by(app, user, link: str):
    client = app.test_client()
    assert client.post("/connexion", data={"email": user.email, "password": PASSWORD}).status_code
    return client.get(urlsplit(link).path)


def _mail_to(outbox, user, template_hint: str):
    mails = [m for m in outbox if m["To"] == user.email and template_hint in m["Subject"]]
    assert len(mails) == 1, [m["Subject"] for m in outbox]
    return mails[0]


def _check(app, user, message, audit) -> None:
    link = _link(message)
    assert link == f"{BASE}/audits/{audit.id}"
    response = _opened_by(app, user, link)
    assert response.status_code == 200
    assert response.mimetype == "text/html"


def test_transition_email_to_the_company_opens_its_page(
    app, api, people, audit_in, outbox, public_base
):
    audit = audit_in(S.draft)
    outbox.clear()
    api.post(f"/audits/{audit.id}/transitions", user=people.company, json={"action": "withdraw"})
    _check(app, people.company, _mail_to(outbox, people.company, "retiré"), audit)


def test_transition_email_to_the_staff_opens_the_page(
    app, api, people, audit_in, outbox, public_base
):
    audit = audit_in(S.rejected)
    outbox.clear()
    response = api.post(
        f"/audits/{audit.id}/transitions",
        user=people.company,
        json={"action": "appeal", "comment": "Les pièces RGPD ont été mal lues."},
    )
    assert response.status_code == 200
    _check(app, people.manager, _mail_to(outbox, people.manager, "Recours"), audit)


def test_assignment_email_opens_the_page_for_the_expert(
    app, api, people, audit_in, outbox, public_base
):
    audit = audit_in(S.submitted)
    outbox.clear()
    response = api.post(
        f"/audits/{audit.id}/assignments",
        user=people.manager,
        json={"expert_id": people.other_expert.id},
    )
    assert response.status_code == 201
    _check(app, people.other_expert, _mail_to(outbox, people.other_expert, "désigné"), audit)


def test_expiry_reminder_opens_the_page_outside_any_request(
    app, people, audit_in, outbox, public_base
):
    audit = audit_in(S.approved)
    outbox.clear()
    # run as the daily command does: no request, so no Host header to borrow
    operations.send_expiry_reminders(audit.valid_until - timedelta(days=10))
    db.session.commit()
    _check(app, people.company, _mail_to(outbox, people.company, "expire"), audit)
    assert audit.valid_until > date.today()
