"""Experts and trainers do not see company members' addresses: their work never needs them
(the company answers through the audit). The organization's members, managers and admins do."""

from __future__ import annotations

import pytest

from accelerator.accounts.models import Role
from accelerator.audits.states import AuditStatus
from accelerator.extensions import db
from tests.audits.factories import make_audit, make_solution
from tests.factories import make_user

MEMBER_EMAIL = "dirigeante@classe-agile.fr"


@pytest.fixture
def member():
    user = make_user(Role.company, email=MEMBER_EMAIL)
    db.session.commit()
    return user


@pytest.mark.parametrize(
    ("role", "sees_emails"),
    [
        ("member", True),
        (Role.manager, True),
        (Role.admin, True),
        (Role.expert, False),
        (Role.trainer, False),
    ],
)
def test_who_reads_members_addresses_on_the_organization_page(
    client, login_as, member, role, sees_emails
):
    reader = member if role == "member" else make_user(role)
    login_as(reader)
    page = client.get(f"/organisations/{member.organization_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert member.full_name in html
    assert (MEMBER_EMAIL in html) is sees_emails


def test_an_assigned_expert_reads_the_audit_without_the_companys_addresses(
    api, client, login_as, member
):
    audit = make_audit(make_solution(member.organization), status=AuditStatus.in_review, experts=1)
    db.session.commit()
    expert = audit.assignments[0].expert
    response = api.get(f"/audits/{audit.id}", user=expert)
    assert response.status_code == 200
    assert MEMBER_EMAIL not in response.get_data(as_text=True)
    login_as(expert)
    page = client.get(f"/audits/{audit.id}")
    assert page.status_code == 200 and MEMBER_EMAIL not in page.get_data(as_text=True)
