"""Solutions through the API: creation, validation, slugs, who reads and who changes."""

from __future__ import annotations

import pytest

from accelerator.accounts.models import Role
from accelerator.audits.models import Solution
from accelerator.extensions import db
from tests.factories import make_user

SOLUTION = {
    "name": "Écrire Mieux !",
    "summary": "Des exercices d'écriture pour le cycle 3.",
    "description": "Une application d'entraînement à la rédaction.",
    "website": "https://ecrire-mieux.fr",
    "subjects": ["francais"],
    "levels": ["cycle3", "cycle4"],
    "processes_personal_data": True,
    "hosting_country": "FR",
    "gar_compatible": True,
    "pricing": "freemium",
}


def test_company_creates_a_solution(api):
    company = make_user(Role.company)
    response = api.post("/solutions", user=company, json=SOLUTION)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["slug"] == "ecrire-mieux"
    assert body["organization"] == {
        "id": company.organization.id,
        "name": company.organization.name,
    }
    assert {k: body[k] for k in SOLUTION} == SOLUTION
    # Same name again (here by another company): a distinct slug.
    again = api.post("/solutions", user=make_user(Role.company), json=SOLUTION)
    assert again.json["slug"] == "ecrire-mieux-2"


def test_defaults(api):
    response = api.post("/solutions", user=make_user(Role.company), json={"name": "Mathador"})
    assert response.status_code == 201
    body = response.json
    assert (body["pricing"], body["hosting_country"], body["website"]) == ("free", "FR", None)
    assert (body["subjects"], body["levels"]) == ([], [])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"subjects": ["francais", "astrologie"]}, "subjects"),
        ({"levels": ["cm2"]}, "levels"),
        ({"pricing": "cher"}, "pricing"),
        ({"hosting_country": "XX"}, "hosting_country"),
        ({"hosting_country": "fr"}, "hosting_country"),
        ({"website": "ftp://ecrire.fr"}, "website"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"website": "ecrire-mieux.fr"}, "website"),
        ({"gar_compatible": "peut-être"}, "gar_compatible"),
        ({"owner": "moi"}, "owner"),
    ],
)
def test_invalid_fields(api, changes, field):
    response = api.post("/solutions", user=make_user(Role.company), json={**SOLUTION, **changes})
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert db.session.query(Solution).count() == 0


@pytest.mark.parametrize("role", [r for r in Role if r != Role.company])
def test_only_companies_create_solutions(api, role):
    assert api.post("/solutions", user=make_user(role), json=SOLUTION).status_code == 403


def test_who_reads_and_who_changes(api, people, audit_in):
    audit = audit_in()
    solution_id = audit.solution_id
    path = f"/solutions/{solution_id}"
    for user in (people.company, people.manager, people.admin):
        assert api.get(path, user=user).status_code == 200
    for user in (people.other_company, people.experts[0]):
        assert api.get(path, user=user).status_code == 404
    for user in (people.teacher, people.trainer):
        assert api.get(path, user=user).status_code == 403
    response = api.patch(path, user=people.company, json={"summary": "Nouveau résumé."})
    assert response.status_code == 200 and response.json["summary"] == "Nouveau résumé."
    slug = response.json["slug"]
    response = api.patch(path, user=people.company, json={"name": "Nouveau nom"})
    assert response.json["slug"] == slug  # the public address does not move
    assert api.patch(path, user=people.company, json={"levels": ["x"]}).status_code == 422
    assert api.patch(path, user=people.other_company, json={"summary": "x"}).status_code == 404
    assert api.patch(path, user=people.manager, json={"summary": "x"}).status_code == 403
    assert api.patch("/solutions/999999", user=people.company, json={}).status_code == 404


def test_assigned_experts_read_the_solution(api, people, audit_in):
    from accelerator.audits.states import AuditStatus

    audit = audit_in(AuditStatus.in_review)
    assert api.get(f"/solutions/{audit.solution_id}", user=people.experts[0]).status_code == 200
    assert api.get(f"/solutions/{audit.solution_id}", user=people.other_expert).status_code == 404


def test_lists_are_visible_and_paginated(api, people, audit_in):
    for _ in range(3):
        audit_in()
    mine = api.get("/solutions?per_page=2", user=people.company).json
    assert (mine["total"], len(mine["items"]), mine["per_page"]) == (3, 2, 2)
    assert api.get("/solutions", user=people.other_company).json["total"] == 0
    assert api.get("/solutions", user=people.manager).json["total"] == 3
    assert api.get("/solutions?per_page=101", user=people.manager).status_code == 422
