"""The indicators' settings through the API: managers and admins read every target,
population and delay in force with their history, and PUT new values; each change adds a
history row and steers the indicators, a repeated PUT adds nothing, bad input is a
problem+json that changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from accelerator.accounts.models import Role
from accelerator.core.problems import PROBLEM_MIMETYPE
from accelerator.extensions import db
from accelerator.reporting import indicators
from accelerator.reporting.models import FollowUpDelay, NationalPopulation, Target
from accelerator.reporting.periods import Period
from tests.factories import ApiClient, make_user

TARGET = {"value": 90, "horizon_start": "2026-09-01", "horizon_end": "2027-08-31", "note": ""}


def rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.mark.parametrize("role", [Role.trainer, Role.teacher, Role.company, Role.expert])
def test_only_managers_and_admins_reach_the_settings(api, role):
    user = make_user(role)
    before = rows(Target)
    assert api.get("/indicators/settings", user).status_code == 403
    response = api.put("/indicators/settings/targets/satisfaction_rate", user, json=TARGET)
    assert response.status_code == 403
    assert response.mimetype == PROBLEM_MIMETYPE
    assert rows(Target) == before


def test_a_target_put_is_in_force_with_its_history_and_steers_the_status(api):
    manager = make_user(Role.manager)
    first = api.put("/indicators/settings/targets/satisfaction_rate", manager, json=TARGET)
    assert first.status_code == 200, first.json
    assert first.json["in_force"]["value"] == 90
    second = api.put(
        "/indicators/settings/targets/satisfaction_rate", manager, json={**TARGET, "value": 70}
    )
    body = second.json
    assert body["in_force"]["value"] == 70
    assert body["in_force"]["set_by_id"] == manager.id
    # newest first, the earlier value kept as history
    assert [row["value"] for row in body["history"]][:2] == [70, 90]
    value = indicators.compute_one(
        "satisfaction_rate", Period(date(2026, 9, 1), date(2027, 8, 31)), use_kept=False
    )
    assert value.target == 70
    settings = api.get("/indicators/settings", manager).json
    in_force = {row["code"]: row for row in settings["targets"]}
    assert in_force["satisfaction_rate"]["value"] == 70
    assert settings["history"]["targets"][0]["value"] == 70


def test_a_repeated_put_adds_no_history(api):
    admin = make_user(Role.admin)
    api.put("/indicators/settings/targets/paf_actions", admin, json=TARGET)
    before = rows(Target)
    again = api.put("/indicators/settings/targets/paf_actions", admin, json=TARGET)
    assert again.status_code == 200
    assert rows(Target) == before


def test_a_null_value_withdraws_the_target(api):
    manager = make_user(Role.manager)
    api.put("/indicators/settings/targets/paf_actions", manager, json=TARGET)
    response = api.put(
        "/indicators/settings/targets/paf_actions", manager, json={**TARGET, "value": None}
    )
    assert response.status_code == 200
    assert response.json["in_force"] is None
    codes = {row["code"] for row in api.get("/indicators/settings", manager).json["targets"]}
    assert "paf_actions" not in codes


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**TARGET, "value": -1}, "value"),
        ({**TARGET, "horizon_end": "2026-01-01"}, "horizon_end"),
        ({**TARGET, "value": "many"}, "value"),
        ({k: v for k, v in TARGET.items() if k != "value"}, "value"),
        ({**TARGET, "colour": "red"}, "colour"),
    ],
)
def test_a_bad_target_is_a_problem_and_changes_nothing(api, body, field):
    manager = make_user(Role.manager)
    before = rows(Target)
    response = api.put("/indicators/settings/targets/satisfaction_rate", manager, json=body)
    assert response.status_code == 422
    assert response.mimetype == PROBLEM_MIMETYPE
    assert field in response.json["errors"]
    assert rows(Target) == before


def test_an_unknown_indicator_or_academie_answers_404(api):
    manager = make_user(Role.manager)
    response = api.put("/indicators/settings/targets/happiness", manager, json=TARGET)
    assert response.status_code == 404
    assert response.mimetype == PROBLEM_MIMETYPE
    response = api.put(
        "/indicators/settings/populations/2026/atlantis",
        manager,
        json={"teachers": 10, "new_teachers": 1},
    )
    assert response.status_code == 404


def test_a_population_put_is_in_force_and_feeds_the_rate(api):
    manager = make_user(Role.manager)
    url = "/indicators/settings/populations/2026/lyon"
    assert api.put(url, manager, json={"teachers": 1000, "new_teachers": 100}).status_code == 200
    response = api.put(url, manager, json={"teachers": 2000, "new_teachers": 150})
    assert response.json["in_force"]["teachers"] == 2000
    assert [row["teachers"] for row in response.json["history"]] == [2000, 1000]
    populations = api.get("/indicators/settings", manager).json["populations"]
    assert [(p["year"], p["academy"], p["teachers"]) for p in populations] == [(2026, "lyon", 2000)]
    # the teachers-reached rate of Lyon is now a share of 2,000 (no teacher yet: 0 %)
    value = indicators.compute_one(
        "teachers_reached_rate",
        Period(date(2026, 9, 1), date(2027, 8, 31), "lyon"),
        use_kept=False,
    )
    assert value.value == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"teachers": 10, "new_teachers": 11}, "new_teachers"),
        ({"teachers": -5, "new_teachers": 0}, "teachers"),
        ({"teachers": "10", "new_teachers": 1}, "teachers"),
    ],
)
def test_a_bad_population_changes_nothing(api, body, field):
    manager = make_user(Role.manager)
    response = api.put("/indicators/settings/populations/2026/lyon", manager, json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert rows(NationalPopulation) == 0


def test_a_year_out_of_range_is_refused(api):
    manager = make_user(Role.manager)
    response = api.put(
        "/indicators/settings/populations/1850/lyon",
        manager,
        json={"teachers": 10, "new_teachers": 1},
    )
    assert response.status_code == 422
    assert "year" in response.json["errors"]
    assert rows(NationalPopulation) == 0


def test_the_follow_up_delay(api):
    manager = make_user(Role.manager)
    response = api.put("/indicators/settings/follow-up", manager, json={"weeks": 8})
    assert response.status_code == 200
    assert response.json["weeks"] == 8
    assert api.get("/indicators/settings", manager).json["follow_up_weeks"] == 8
    for weeks in (0, 53, "eight"):
        refused = api.put("/indicators/settings/follow-up", manager, json={"weeks": weeks})
        assert refused.status_code == 422
    assert rows(FollowUpDelay) == 1


def test_the_settings_endpoints_are_in_the_openapi_document(api):
    paths = api.get("/openapi.json").json["paths"]
    assert "get" in paths["/indicators/settings"]
    operation = paths["/indicators/settings/targets/{code}"]["put"]
    assert "requestBody" in operation
    assert "422" in operation["responses"]
    assert "put" in paths["/indicators/settings/populations/{year}/{academy}"]
    assert "put" in paths["/indicators/settings/follow-up"]
