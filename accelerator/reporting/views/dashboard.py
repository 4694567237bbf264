"""The managers' dashboard (``/pilotage/indicateurs``): indicator tiles, charts with their
data tables, exports; filters (period, académie) live in the URL so a view can be shared.
Managers and admins only (others: 403; anonymous visitors sign in first)."""

from __future__ import annotations

import json

from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l

from accelerator.core.errors import Invalid
from accelerator.core.navigation import NavItem, add_nav_item
from accelerator.core.permissions import roles_required
from accelerator.core.reference import ACADEMIES
from accelerator.reporting import exports, kept, tables
from accelerator.reporting.periods import default_period, parse_period
from accelerator.reporting.views.common import READERS, bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period_or_errors():
    try:
        return parse_period(request.args), {}
    except Invalid as error:
        return default_period(), error.errors


def _chart_data(board: tables.Dashboard) -> dict[str, dict]:
    """The attributes of the DSFR Chart web components (JSON lists, as the library reads)."""
    progress = board.tables["progress"].rows
    months = [row[0] for row in progress]
    academies = board.tables["by_academy"].rows
    solutions = board.tables["by_solution"].rows
    funnel = board.tables["funnel"].rows
    return {
        # one axis of months for both lines: the cumulative so far, then the projection
        "progress": {
            "x": json.dumps([months, months]),
            "y": json.dumps([[row[2] for row in progress], [row[3] for row in progress]]),
            "name": json.dumps([str(_l("Cumulative")), str(_l("Projection"))]),
        },
        "by_academy": {
            "x": json.dumps([[row[0] for row in academies]]),
            "y": json.dumps([[row[1] for row in academies]]),
            "name": json.dumps([str(_l("Teachers trained"))]),
        },
        "by_solution": {
            "x": json.dumps([[row[0] for row in solutions]]),
            "y": json.dumps([[row[1] for row in solutions]]),
            "name": json.dumps([str(_l("Teachers trained"))]),
        },
        "funnel": {
            "x": json.dumps([[row[0] for row in funnel]]),
            "y": json.dumps([[row[1] for row in funnel]]),
            "name": json.dumps([str(_l("Audits"))]),
        },
    }


@bp.route("")
@roles_required(*READERS)
def dashboard():
    period, errors = _period_or_errors()
    board = tables.dashboard(period)
    return render_template(
        "reporting/dashboard.html",
        board=board,
        period=period,
        errors=errors,
        academies=ACADEMIES,
        charts=_chart_data(board),
        kept_state=kept.state(),
        status_label=tables.status_label,
    ), (422 if errors else 200)


@bp.route("/<key>.csv")
@roles_required(*READERS)
def table_csv(key: str):
    period = parse_period(request.args)
    board = tables.dashboard(period)
    if key not in board.tables:
        abort(404)
    return exports.download(
        exports.table_csv(board.tables[key]),
        f"{key}-{period.start}-{period.end}.csv",
        "text/csv; charset=utf-8",
    )


@bp.route("/tableaux.xlsx")
@roles_required(*READERS)
def tables_xlsx():
    period = parse_period(request.args)
    board = tables.dashboard(period)
    return exports.download(
        exports.tables_xlsx(board.tables.values()),
        f"indicateurs-{period.start}-{period.end}.xlsx",
        XLSX,
    )


@bp.route("/rapport.pdf")
@roles_required(*READERS)
def report_pdf():
    period = parse_period(request.args)
    return exports.download(
        exports.report_pdf(tables.dashboard(period)),
        f"rapport-indicateurs-{period.start}-{period.end}.pdf",
        "application/pdf",
    )


add_nav_item(
    NavItem(
        85, "reporting.dashboard", _l("Indicators"), roles=READERS, prefix="/pilotage/indicateurs"
    )
)
