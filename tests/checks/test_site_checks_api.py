"""Starting a check and reading its results: the API and the page, who may, and the run
recorded as dated evidence of the audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accelerator.accounts.models import Role
from accelerator.audits.models import Assignment
from accelerator.checks.models import EvidenceIsImmutable, SiteCheck, SiteFinding
from accelerator.extensions import db
from tests.audits.factories import make_audit, make_solution
from tests.checks.sites import Authority, Site, addresses, legal_pages
from tests.factories import make_user


@pytest.fixture
def authority(app, tmp_path):
    authority = Authority(tmp_path)
    app.config["SITE_CHECK_CA_FILE"] = str(authority.ca_file)
    yield authority
    app.config["SITE_CHECK_CA_FILE"] = None


@pytest.fixture
def world(app):
    company = make_user(Role.company)
    solution = make_solution(company.organization)
    audit = make_audit(solution)
    db.session.commit()
    return company, solution, audit


def test_the_company_gives_addresses_and_runs_a_check_recorded_on_its_audit(api, world, authority):
    company, solution, audit = world
    with Site(legal_pages(), authority.valid("localhost")) as site:
        response = api.put(f"/solutions/{solution.id}/site", company, json=addresses(site))
        assert response.status_code == 200, response.json
        assert response.json["landing_url"] == site.url("/")
        assert response.json["last_checked_at"] is None
        response = api.post(f"/solutions/{solution.id}/site-checks", company)
    assert response.status_code == 202
    job = api.get(response.headers["Location"].removeprefix("/api/v1"), company).json
    assert job["state"] == "done", job
    check_id = job["result"]["check_id"]

    listed = api.get(f"/solutions/{solution.id}/site-checks", company).json
    assert [item["id"] for item in listed["items"]] == [check_id]
    check = api.get(f"/solutions/{solution.id}/site-checks/{check_id}", company).json
    assert check["audit_id"] == audit.id  # evidence of the audit in progress
    assert check["summary"].get("fail", 0) == 0
    certificate = next(f for f in check["findings"] if f["kind"] == "tls_certificate")
    assert certificate["criteria"] == ["SEC-01"] and certificate["outcome"] == "pass"
    assert certificate["message"]  # a sentence, in the reader's language
    assert api.get(f"/solutions/{solution.id}/site", company).json["last_checked_at"]


def test_a_check_without_addresses_is_refused_and_queues_nothing(api, world):
    company, solution, _ = world
    response = api.post(f"/solutions/{solution.id}/site-checks", company)
    assert response.status_code == 409
    assert response.content_type.startswith("application/problem+json")
    assert db.session.scalars(select(SiteCheck)).all() == []


@pytest.mark.parametrize(
    "value",
    ["ftp://exemple.fr/", "pas une adresse", "https://user:pw@exemple.fr/", "https://" + "a" * 500],
)
def test_a_bad_address_changes_nothing(api, world, value):
    company, solution, _ = world
    api.put(f"/solutions/{solution.id}/site", company, json={"landing_url": "https://ok.example/"})
    response = api.put(
        f"/solutions/{solution.id}/site",
        company,
        json={"landing_url": value, "login_url": "https://ok.example/c"},
    )
    assert response.status_code == 422
    kept = api.get(f"/solutions/{solution.id}/site", company).json
    assert (kept["landing_url"], kept["login_url"]) == ("https://ok.example/", None)


def test_others_do_not_see_a_solutions_checks(api, world):
    company, solution, audit = world
    stranger, expert = make_user(Role.company), make_user(Role.expert)
    for user in (stranger, expert):
        assert api.get(f"/solutions/{solution.id}/site", user).status_code == 404
        assert api.get(f"/solutions/{solution.id}/site-checks", user).status_code == 404
        assert api.post(f"/solutions/{solution.id}/site-checks", user).status_code == 404
    assert api.put(f"/solutions/{solution.id}/site", stranger, json={}).status_code == 404
    # once assigned, the expert reads them; the manager always
    db.session.add(Assignment(audit_id=audit.id, expert_id=expert.id))
    db.session.commit()
    assert api.get(f"/solutions/{solution.id}/site-checks", expert).status_code == 200
    assert (
        api.get(f"/solutions/{solution.id}/site-checks", make_user(Role.manager)).status_code == 200
    )
    # reading is not editing: only the company gives the addresses
    assert api.put(f"/solutions/{solution.id}/site", expert, json={}).status_code == 403


def test_the_company_page_shows_the_findings_beside_their_criteria(
    client, login_as, world, authority
):
    company, solution, _ = world
    login_as(company)
    with Site(legal_pages(headers={}), authority.valid("localhost")) as site:
        response = client.post(
            f"/mes-solutions/{solution.id}/verifications/adresses", data=addresses(site)
        )
        assert response.status_code == 302
        response = client.post(f"/mes-solutions/{solution.id}/verifications/lancer")
        assert response.status_code == 302 and "/taches/" in response.headers["Location"]
    page = client.get(f"/mes-solutions/{solution.id}/verifications").get_data(as_text=True)
    assert "Content-Security-Policy" in page and "SEC-05" in page
    assert "Aucun en-tête Content-Security-Policy" in page or "No Content-Security-Policy" in page


def test_a_run_is_immutable_evidence(api, world, authority):
    company, solution, _ = world
    with Site(legal_pages(), authority.valid("localhost")) as site:
        api.put(f"/solutions/{solution.id}/site", company, json=addresses(site))
        api.post(f"/solutions/{solution.id}/site-checks", company)
    finding = db.session.scalars(select(SiteFinding)).first()
    finding.reason = "rewritten"
    with pytest.raises(EvidenceIsImmutable):
        db.session.flush()
    db.session.rollback()
    check = db.session.scalars(select(SiteCheck)).one()
    db.session.delete(check)
    with pytest.raises(EvidenceIsImmutable):
        db.session.flush()
    db.session.rollback()


def test_the_expert_reads_the_findings_beside_the_criteria_they_inform(
    client, login_as, api, authority
):
    from accelerator.audits.states import AuditStatus
    from tests.audits.factories import make_framework_version

    version = make_framework_version(
        domains={"SEC": [{"code": "SEC-05"}], "PEDA": [{"code": "PEDA-01"}]}
    )
    company, expert = make_user(Role.company), make_user(Role.expert)
    solution = make_solution(company.organization)
    audit = make_audit(solution, status=AuditStatus.in_review, version=version)
    db.session.add(Assignment(audit_id=audit.id, expert_id=expert.id))
    db.session.commit()
    with Site(legal_pages(headers={}), authority.valid("localhost")) as site:
        api.put(f"/solutions/{solution.id}/site", company, json=addresses(site))
        assert api.post(f"/solutions/{solution.id}/site-checks", expert).status_code == 202
    login_as(expert)
    security = client.get(f"/audits/{audit.id}/evaluation/SEC").get_data(as_text=True)
    pedagogy = client.get(f"/audits/{audit.id}/evaluation/PEDA").get_data(as_text=True)
    # the headers inform SEC-05, and nothing of the site informs pedagogy
    assert "Content-Security-Policy" in security and "X-Content-Type-Options" in security
    assert "Content-Security-Policy" not in pedagogy
    solution_page = client.get(f"/mes-solutions/{solution.id}").get_data(as_text=True)
    assert f"/mes-solutions/{solution.id}/verifications" in solution_page


def test_the_job_page_of_a_finished_check_leads_to_its_findings(client, login_as, world, authority):
    company, solution, _ = world
    login_as(company)
    with Site(legal_pages(), authority.valid("localhost")) as site:
        client.post(f"/mes-solutions/{solution.id}/verifications/adresses", data=addresses(site))
        job_page = client.post(f"/mes-solutions/{solution.id}/verifications/lancer").headers[
            "Location"
        ]
    check = db.session.scalars(select(SiteCheck)).one()
    page = client.get(job_page).get_data(as_text=True)
    assert f"/mes-solutions/{solution.id}/verifications#check-{check.id}" in page


def test_the_solution_page_lists_what_to_fix_with_its_criteria(client, login_as, world, authority):
    company, solution, _ = world
    login_as(company)
    with Site(legal_pages(headers={}), authority.expired("localhost")) as site:
        client.post(f"/mes-solutions/{solution.id}/verifications/adresses", data=addresses(site))
        client.post(f"/mes-solutions/{solution.id}/verifications/lancer")
    page = client.get(f"/mes-solutions/{solution.id}").get_data(as_text=True)
    assert "À corriger avant le dépôt" in page
    assert "Certificat TLS</strong> (SEC-01, point éliminatoire)" in page
    assert "Aucun en-tête Content-Security-Policy." in page
