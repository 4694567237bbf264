"""Criteria API: versions, the version in force (the shape of API.md), the self-diagnostic,
and the administrators' lifecycle endpoints."""

from __future__ import annotations

import pytest

from accelerator.accounts.models import Role
from accelerator.criteria import operations
from accelerator.criteria.models import FrameworkVersion, VersionStatus
from accelerator.extensions import db
from tests.criteria.helpers import yaml_text
from tests.factories import make_user


@pytest.fixture
def published():
    version = operations.import_text(yaml_text(), publish=True)
    db.session.commit()
    return version


@pytest.fixture
def draft(published):
    version = operations.draft_from(None)
    db.session.commit()
    return version


def test_no_version_in_force_answers_404(api):
    response = api.get("/frameworks/current")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


def test_current_has_the_shape_of_the_contract(api, published):
    response = api.get("/frameworks/current")
    assert response.status_code == 200
    body = response.json
    assert {"id", "version", "thresholds", "domains"} <= set(body)
    assert body["id"] == published.id and body["version"] == "2026.1"
    assert body["thresholds"] == {"approve": 75, "approve_with_conditions": 55}
    assert [d["code"] for d in body["domains"]] == ["RGPD", "PEDA", "ACCES"]
    domain = body["domains"][0]
    assert {"code", "name", "weight", "criteria"} <= set(domain)
    criterion = domain["criteria"][0]
    assert set(criterion) >= {
        "code",
        "title",
        "guidance",
        "evidence_expected",
        "weight",
        "eliminatory",
        "min_level",
        "applies_if",
        "levels",
    }
    assert criterion["code"] == "RGPD-01" and criterion["eliminatory"] is True
    assert criterion["min_level"] == 2 and criterion["applies_if"] == "processes_personal_data"
    assert [set(level) for level in criterion["levels"]] == [{"value", "label", "descriptor"}] * 4
    assert [level["value"] for level in criterion["levels"]] == [0, 1, 2, 3]
    assert response.headers["ETag"] and "public" in response.headers["Cache-Control"]


def test_a_published_version_answers_304_when_unchanged(api, published):
    first = api.get(f"/frameworks/{published.id}")
    again = api.get(f"/frameworks/{published.id}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_list_shows_versions_but_drafts_only_to_admins_and_managers(api, draft, published):
    public = api.get("/frameworks")
    assert public.status_code == 200
    assert [item["id"] for item in public.json["items"]] == [published.id]
    item = public.json["items"][0]
    assert {"id", "code", "version", "status", "published_at"} <= set(item)
    assert item["code"] == "cadre-test" and item["status"] == "published"
    for role in (Role.admin, Role.manager):
        listed = api.get("/frameworks", user=make_user(role)).json
        assert listed["total"] == 2
    assert api.get("/frameworks", user=make_user(Role.company)).json["total"] == 1


def test_a_draft_is_404_to_the_public_and_readable_by_admins(api, draft):
    assert api.get(f"/frameworks/{draft.id}").status_code == 404
    assert api.get(f"/frameworks/{draft.id}", user=make_user(Role.expert)).status_code == 404
    response = api.get(f"/frameworks/{draft.id}", user=make_user(Role.admin))
    assert response.status_code == 200 and response.json["status"] == "draft"
    assert "ETag" not in response.headers


def test_unknown_version_is_404(api, published):
    assert api.get("/frameworks/999999").status_code == 404


def test_diagnostic_lists_eliminatory_gaps_first(api, published):
    response = api.post(
        "/frameworks/current/diagnostic",
        json={
            "attributes": {"processes_personal_data": True},
            "answers": {
                "RGPD-01": "partial",
                "RGPD-02": "yes",
                "PEDA-01": "no",
                "PEDA-02": "yes",
                "ACCES-01": "yes",
            },
        },
    )
    assert response.status_code == 200
    body = response.json
    assert body["recommendation"] == "reject"
    assert body["eliminatory_failures"] == ["RGPD-01"]
    assert [gap["code"] for gap in body["gaps"]] == ["RGPD-01", "PEDA-01"]
    assert body["gaps"][0]["failing"] is True and body["gaps"][0]["target_level"] == 2
    assert {d["code"] for d in body["domains"]} == {"RGPD", "PEDA", "ACCES"}


def test_diagnostic_without_personal_data_ignores_those_criteria(api, published):
    body = api.post(
        "/frameworks/current/diagnostic",
        json={"answers": {"PEDA-01": "yes", "PEDA-02": "yes", "ACCES-01": "yes"}},
    ).json
    assert body["recommendation"] == "approve" and body["overall_score"] == 100.0
    assert {"code": "RGPD", "score": None} in body["domains"]


@pytest.mark.parametrize(
    "body",
    [
        {"answers": {"PEDA-01": "peut-être"}},
        {"answers": {"NOPE-01": "yes"}},
        {"answers": {}, "attributes": {"is_cool": True}},
        {"attributes": {}},
        {"answers": "yes"},
    ],
)
def test_diagnostic_refuses_bad_answers_with_422(api, published, body):
    response = api.post("/frameworks/current/diagnostic", json=body)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"


def test_diagnostic_refuses_a_body_that_is_not_an_object(api, published):
    assert api.post("/frameworks/current/diagnostic", json=[1]).status_code == 400


@pytest.mark.parametrize("role", [Role.manager, Role.expert, Role.company, Role.teacher])
def test_lifecycle_endpoints_are_for_admins(api, draft, role):
    user = make_user(role)
    assert api.post("/frameworks/drafts", user=user).status_code == 403
    assert api.post(f"/frameworks/{draft.id}/publish", user=user).status_code == 403
    assert api.post("/frameworks/drafts").status_code == 401


def test_admin_drafts_and_publishes_through_the_api(api, published):
    admin = make_user(Role.admin)
    created = api.post("/frameworks/drafts", user=admin)
    assert created.status_code == 201 and created.json["status"] == "draft"
    draft_id = created.json["id"]
    published_now = api.post(f"/frameworks/{draft_id}/publish", user=admin)
    assert published_now.status_code == 200 and published_now.json["status"] == "published"
    assert api.get("/frameworks/current").json["id"] == draft_id
    again = api.post(f"/frameworks/{draft_id}/publish", user=admin)
    assert again.status_code == 409
    db.session.expire_all()
    assert db.session.get(FrameworkVersion, published.id).status == VersionStatus.retired
    # the only version in force cannot be retired
    assert api.post(f"/frameworks/{draft_id}/retire", user=admin).status_code == 409
