"""Expensive PDFs (audit report, cadre de confiance) are built once per state and kept in
storage (UPLOAD_DIR/pdf), shared by every worker: the same state downloads the kept file,
a new state (a decision, another language) is a new file."""

from __future__ import annotations

import os
import shutil

import pytest

from accelerator.accounts.models import Role
from accelerator.audits.models import Audit
from accelerator.audits.states import AuditStatus
from accelerator.extensions import db
from tests.audits.factories import make_audit, make_framework_version, make_solution
from tests.factories import make_user


@pytest.fixture
def kept(app):
    """The files kept for a kind of PDF (none at the start)."""
    root = os.path.join(app.config["UPLOAD_DIR"], "pdf")
    shutil.rmtree(root, ignore_errors=True)

    def files(kind: str) -> dict[str, bytes]:
        folder = os.path.join(root, kind)
        if not os.path.isdir(folder):
            return {}
        return {name: open(os.path.join(folder, name), "rb").read() for name in os.listdir(folder)}

    yield files
    shutil.rmtree(root, ignore_errors=True)


def test_an_audit_report_is_kept_until_the_audit_changes(api, kept):
    make_framework_version()
    company = make_user(Role.company)
    audit = make_audit(make_solution(company.organization), status=AuditStatus.in_review, experts=1)
    manager = make_user(Role.manager)
    db.session.commit()

    first = api.get(f"/audits/{audit.id}/report.pdf", user=manager)
    second = api.get(f"/audits/{audit.id}/report.pdf", user=manager)
    assert first.status_code == second.status_code == 200
    stored = kept("audit-report")
    assert list(stored.values()) == [first.data] and second.data == first.data

    # The audit moves on: the report shows its new state, in a new file.
    db.session.get(Audit, audit.id).status = AuditStatus.committee
    db.session.commit()
    third = api.get(f"/audits/{audit.id}/report.pdf", user=manager)
    assert third.status_code == 200 and len(kept("audit-report")) == 2
    assert third.data in kept("audit-report").values()


def test_the_cadre_pdf_is_kept_per_language(client, kept):
    from accelerator.criteria import operations
    from tests.criteria.helpers import yaml_text

    operations.import_text(yaml_text(), publish=True)
    db.session.commit()
    french = client.get("/cadre-de-confiance.pdf")
    assert french.status_code == 200 and list(kept("cadre").values()) == [french.data]
    assert client.get("/cadre-de-confiance.pdf").data == french.data
    client.get("/langue/en")
    english = client.get("/cadre-de-confiance.pdf")
    assert english.data != french.data and len(kept("cadre")) == 2
