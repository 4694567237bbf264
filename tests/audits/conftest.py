"""Fixtures for the audits suite: a framework version in force, the people, and audits
driven to any state through the operations."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from accelerator.accounts.models import Role
from accelerator.audits.demo import drive_audit
from accelerator.audits.operations import start_audit
from accelerator.audits.states import AuditStatus
from accelerator.extensions import db
from tests.audits.factories import make_framework_version, make_solution, verify_organization_row
from tests.factories import make_user


@pytest.fixture
def version():
    fv = make_framework_version()
    db.session.commit()
    return fv


@pytest.fixture
def people(version):
    """A company member, a member of another company, a manager, two assigned experts and
    a third expert, an admin and a teacher."""
    company = make_user(Role.company)
    people = SimpleNamespace(
        company=company,
        other_company=make_user(Role.company),
        manager=make_user(Role.manager),
        experts=[make_user(Role.expert), make_user(Role.expert)],
        other_expert=make_user(Role.expert),
        admin=make_user(Role.admin),
        teacher=make_user(Role.teacher),
        trainer=make_user(Role.trainer),
    )
    # The company's organization is verified, as it must be before an audit is admitted
    # (tests/audits/test_admission.py checks the refusal with an unverified one).
    verify_organization_row(company.organization, by=people.manager)
    db.session.commit()
    return people


@pytest.fixture
def audit_in(people):
    """``audit_in(status, level=None, **solution_fields)``: a committed audit of
    ``people.company`` driven to ``status`` through the operations."""

    def make(status: AuditStatus = AuditStatus.draft, level: int | None = None, **fields):
        solution = make_solution(people.company.organization, **fields)
        audit = start_audit(people.company, solution)
        if status != AuditStatus.draft:
            drive_audit(audit, status, people.company, people.manager, people.experts, level)
        db.session.commit()
        return audit

    return make
