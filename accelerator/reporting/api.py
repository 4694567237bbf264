"""Reporting's API (API.md, "Indicators"): the indicators and their settings (targets,
national populations, the follow-up delay, each PUT adding a row to its history) for managers
and admins, and the public open data of the committee's decisions."""

from __future__ import annotations

import json

from flask import Response, request
from flask_babel import gettext
from flask_login import current_user

from accelerator.accounts.models import Role
from accelerator.catalogue import transparency
from accelerator.catalogue.schemas import TransparencyListOut, TransparencyOut
from accelerator.core.api import api, json_body, load
from accelerator.core.errors import NotFound
from accelerator.core.openapi import documented
from accelerator.core.permissions import public, roles_required
from accelerator.core.reference import ACADEMIES
from accelerator.core.urls import public_url
from accelerator.reporting import indicators, opendata, operations
from accelerator.reporting.definitions import BY_CODE
from accelerator.reporting.exports import download, open_data_csv
from accelerator.reporting.periods import parse_period
from accelerator.reporting.schemas import (
    FollowUpDelayHistoryOut,
    FollowUpDelayIn,
    PopulationHistoryOut,
    PopulationIn,
    SettingsOut,
    TargetHistoryOut,
    TargetIn,
)

#: Open data moves with the committee's decisions: a CDN may keep it a few minutes.
OPEN_DATA_MAX_AGE = 300


@api.get("/indicators")
@documented(
    errors=(422,),
    parameters=[
        {
            "name": "from",
            "in": "query",
            "schema": {"type": "string", "format": "date"},
            "description": "First day (default: 1 September of the current school year)",
        },
        {
            "name": "to",
            "in": "query",
            "schema": {"type": "string", "format": "date"},
            "description": "Last day (default: today)",
        },
        {
            "name": "academy",
            "in": "query",
            "schema": {"type": "string"},
            "description": "An académie code",
        },
    ],
)
@roles_required(Role.manager, Role.admin)
def list_indicators():
    """The contract's indicators and the audit pipeline.

    Every indicator with its definition, value, target, status and monthly trend
    """
    period = parse_period(request.args)
    return {
        "items": [item.as_json() for item in indicators.compute(period)],
        "period": {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "academy": period.academy,
        },
    }


# --- The indicators' settings (managers and admins) ------------------------------------------


@api.get("/indicators/settings")
@documented(response=SettingsOut)
@roles_required(Role.manager, Role.admin)
def get_indicator_settings():
    """The indicators' settings: targets, national populations, the follow-up delay.

    What is in force (the latest row of each setting) and the latest changes, newest first
    """
    return SettingsOut().dump(operations.settings_in_force())


@api.put("/indicators/settings/targets/<code>")
@documented(body=TargetIn, response=TargetHistoryOut)
@roles_required(Role.manager, Role.admin)
def put_indicator_target(code: str):
    """Set an indicator's target (value and horizon); null withdraws it.

    Adds a row to the target's history unless the values are already in force (a repeated
    PUT changes nothing). An unknown indicator code answers 404.
    """
    if code not in BY_CODE:
        raise NotFound(gettext("Unknown indicator."))
    data = load(TargetIn(), json_body())
    operations.put_target(
        current_user,
        code,
        data["value"],
        data["horizon_start"],
        data["horizon_end"],
        data["note"],
    )
    history = operations.target_history(code)
    in_force = history[0] if history and history[0].value is not None else None
    return TargetHistoryOut().dump({"in_force": in_force, "history": history})


@api.put("/indicators/settings/populations/<int:year>/<academy>")
@documented(body=PopulationIn, response=PopulationHistoryOut)
@roles_required(Role.manager, Role.admin)
def put_indicator_population(year: int, academy: str):
    """Set the national population of an académie for a school year.

    ``year`` is the school year's first calendar year (2026 for 2026-2027). Adds a row to
    its history unless the figures are already in force. An unknown académie answers 404.
    """
    if academy not in ACADEMIES:
        raise NotFound(gettext("Unknown académie."))
    data = load(PopulationIn(), json_body())
    operations.put_population(current_user, year, academy, data["teachers"], data["new_teachers"])
    history = operations.population_history(year, academy)
    return PopulationHistoryOut().dump({"in_force": history[0], "history": history})


@api.put("/indicators/settings/follow-up")
@documented(body=FollowUpDelayIn, response=FollowUpDelayHistoryOut)
@roles_required(Role.manager, Role.admin)
def put_indicator_follow_up_delay():
    """Set the weeks between a session and its follow-up questionnaire (1 to 52).

    Adds a row to its history unless the delay is already in force
    """
    data = load(FollowUpDelayIn(), json_body())
    operations.put_follow_up_delay(current_user, data["weeks"])
    return FollowUpDelayHistoryOut().dump(
        {"weeks": operations.follow_up_weeks(), "history": operations.follow_up_history()}
    )


def _public(response: Response) -> Response:
    response.headers["Cache-Control"] = f"public, max-age={OPEN_DATA_MAX_AGE}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.add_etag()
    return response.make_conditional(request)


def _open_data_listing(rows: list[dict], schema_endpoint: str) -> Response:
    """An open-data file: its rows, their number, the licence and where its schema is."""
    body = {
        "items": rows,
        "total": len(rows),
        "license": opendata.LICENSE,
        "schema": public_url(schema_endpoint),
    }
    return _public(
        Response(json.dumps(body, ensure_ascii=False, indent=1), mimetype="application/json")
    )


@api.get("/open-data/decisions.json")
@documented()
@public
def open_data_decisions_json():
    """Open data: every committee decision.

    Every committee decision in force or past (licence etalab-2.0)
    """
    return _open_data_listing(opendata.decision_rows(), "api.open_data_decisions_schema")


@api.get("/open-data/decisions.csv")
@documented()
@public
def open_data_decisions_csv():
    """Open data: every committee decision, as CSV.

    The same decisions as CSV (UTF-8, comma), domain scores as score_<CODE> columns
    """
    header, rows = opendata.csv_table(opendata.decision_rows())
    response = download(open_data_csv(header, rows), "decisions.csv", "text/csv")
    response.headers.pop("Cache-Control")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return _public(response)


@api.get("/open-data/transparency.json")
@documented(response=TransparencyListOut)
@public
def open_data_transparency_json():
    """Open data: the transparency record of every solution in the catalogue.

    One record per solution whose approval is in force, as `GET /catalogue/{slug}/transparency`
    answers it (licence etalab-2.0; JSON Schema at `transparency.schema.json`)
    """
    rows = TransparencyOut(many=True).dump(transparency.transparency_records())
    return _open_data_listing(rows, "api.open_data_transparency_schema")


@api.get("/open-data/transparency.schema.json")
@documented()
@public
def open_data_transparency_schema():
    """Open data: the transparency records' JSON Schema.

    JSON Schema (2020-12) of one record of transparency.json
    """
    return _public(
        Response(
            json.dumps(transparency.json_schema(), ensure_ascii=False, indent=1),
            mimetype="application/json",
        )
    )


@api.get("/open-data/decisions.schema.json")
@documented()
@public
def open_data_decisions_schema():
    """Open data: the decisions' Table Schema.

    Table Schema of decisions.csv (for data.gouv.fr)
    """
    schema = opendata.csv_schema(opendata.decision_rows())
    return _public(
        Response(json.dumps(schema, ensure_ascii=False, indent=1), mimetype="application/json")
    )
