"""A regression found by the monitoring is news for the company too: the row it writes in
the approval's history is shown to the company on its audit's page and in the API's
history, in the reader's language, with the check's number and the points that regressed;
another company reaches none of it."""

from __future__ import annotations

import pytest

from accelerator.accounts.models import Role
from accelerator.audits.states import AuditAction
from accelerator.checks import operations
from accelerator.checks.findings import CheckKind, Finding, Outcome
from accelerator.checks.models import Trigger
from accelerator.extensions import db
from tests.audits.factories import make_approved_audit, make_solution
from tests.factories import make_user

URLS = {"landing_url": "https://eleves.exemple.fr/"}


def _run(solution, failing: set[CheckKind]):
    """A monitoring run whose eliminatory points pass, except ``failing``."""
    findings = [
        Finding(
            kind,
            Outcome.failed if kind in failing else Outcome.passed,
            URLS["landing_url"],
            "trackers_found" if kind in failing else "trackers_none",
            {"domains": "px.ads.linkedin.com"},
        )
        for kind in (CheckKind.tls_certificate, CheckKind.trackers)
    ]
    check = operations.record_check(solution, findings, Trigger.monitoring, URLS)
    db.session.commit()
    return check


@pytest.fixture
def regressed(app):
    """An approved solution whose second nightly run finds trackers appearing."""
    company = make_user(Role.company)
    approval = make_approved_audit(make_solution(company.organization))
    db.session.commit()
    _run(approval.solution, set())
    check = _run(approval.solution, {CheckKind.trackers})
    assert check.regressions == ["trackers"]
    return company, approval, check


def _history_section(html: str) -> str:
    return html[html.index('id="historique"') :]


def test_the_company_reads_the_regression_on_its_audit_page(client, login_as, regressed):
    company, approval, check = regressed
    login_as(company)
    history = _history_section(client.get(f"/audits/{approval.id}").get_data(as_text=True))
    assert "Vérification automatique : régression sur un point éliminatoire" in history
    assert f"vérification n° {check.id} : Traceurs connus" in history
    assert f"/mes-solutions/{approval.solution_id}/verifications#check-{check.id}" in history


def test_the_company_reads_it_in_english(client, login_as, regressed):
    company, approval, check = regressed
    login_as(company)
    client.get("/langue/en")
    history = _history_section(client.get(f"/audits/{approval.id}").get_data(as_text=True))
    assert "Automated check: regression on an eliminatory point" in history
    assert f"check no. {check.id}: Known trackers" in history
    assert "Traceurs" not in history
    client.get("/langue/fr")


def test_the_api_history_shows_it_to_the_company(api, regressed):
    company, approval, check = regressed
    history = api.get(f"/audits/{approval.id}", company).get_json()["history"]
    [row] = [e for e in history if e["action"] == AuditAction.site_check_regression.value]
    assert row["by"] is None
    assert row["comment"] == f"vérification n° {check.id} : Traceurs connus"
    assert set(row) == {"action", "from", "to", "by", "at", "comment"}  # as any row it reads
    english = api.get(
        f"/audits/{approval.id}", company, headers={"Accept-Language": "en"}
    ).get_json()["history"]
    [row] = [e for e in english if e["action"] == AuditAction.site_check_regression.value]
    assert row["comment"] == f"check no. {check.id}: Known trackers"


def test_the_company_still_reads_no_reviewing_row(api, regressed):
    """Only the transitions and the regression: what the experts did stays theirs."""
    from accelerator.audits.operations import record_event

    company, approval, _ = regressed
    record_event(approval, make_user(Role.expert), AuditAction.score, criterion="RGPD-01", level=2)
    db.session.commit()
    manager = make_user(Role.manager)
    actions = {e["action"] for e in api.get(f"/audits/{approval.id}", company).json["history"]}
    everything = {e["action"] for e in api.get(f"/audits/{approval.id}", manager).json["history"]}
    assert AuditAction.site_check_regression.value in actions
    assert "score" in everything and "score" not in actions


def test_another_company_reaches_none_of_it(client, api, login_as, regressed):
    _, approval, _ = regressed
    stranger = make_user(Role.company)
    assert api.get(f"/audits/{approval.id}", stranger).status_code == 404
    login_as(stranger)
    assert client.get(f"/audits/{approval.id}").status_code == 404
