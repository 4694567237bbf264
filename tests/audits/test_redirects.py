"""The audit page's action buttons go back to a page of this site only."""

from __future__ import annotations

import pytest

from accelerator.audits.states import AuditStatus


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/%09/evil.example", "/\\evil.x"]
)
def test_a_hostile_next_leads_to_the_audit_page(client, login_as, people, audit_in, target):
    audit = audit_in(AuditStatus.submitted)
    login_as(people.company)
    response = client.post(
        f"/audits/{audit.id}/actions/withdraw", data={"next": target, "comment": "Retrait."}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/audits/{audit.id}"


def test_a_local_next_is_followed(client, login_as, people, audit_in):
    audit = audit_in(AuditStatus.submitted)
    login_as(people.company)
    response = client.post(
        f"/audits/{audit.id}/actions/withdraw", data={"next": "/mes-solutions", "comment": "x"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/mes-solutions"
