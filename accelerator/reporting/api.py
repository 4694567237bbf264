"""Reporting's API (API.md, "Indicators"): the indicators for managers and admins, and the
public open data of the committee's decisions."""

from __future__ import annotations

import json

from flask import Response, request

from accelerator.accounts.models import Role
from accelerator.core.api import api
from accelerator.core.openapi import documented
from accelerator.core.permissions import public, roles_required
from accelerator.core.urls import public_url
from accelerator.reporting import indicators, opendata
from accelerator.reporting.exports import download, open_data_csv
from accelerator.reporting.periods import parse_period

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


def _public(response: Response) -> Response:
    response.headers["Cache-Control"] = f"public, max-age={OPEN_DATA_MAX_AGE}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.add_etag()
    return response.make_conditional(request)


@api.get("/open-data/decisions.json")
@documented()
@public
def open_data_decisions_json():
    """Open data: every committee decision.

    Every committee decision in force or past (licence etalab-2.0)
    """
    rows = opendata.decision_rows()
    body = {
        "items": rows,
        "total": len(rows),
        "license": opendata.LICENSE,
        "schema": public_url("api.open_data_decisions_schema"),
    }
    return _public(
        Response(json.dumps(body, ensure_ascii=False, indent=1), mimetype="application/json")
    )


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
