"""The dashboard's tables, built once for a period: the pages render them (with their charts)
and the CSV, XLSX and PDF exports write the very same rows, so an export holds exactly what
the page shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext
from sqlalchemy import select

from accelerator.core.reference import ACADEMIES
from accelerator.extensions import db
from accelerator.reporting import agreement, indicators, kept, measures
from accelerator.reporting.definitions import UNIT_LABELS
from accelerator.reporting.periods import Period
from accelerator.reporting.sources import Solution, User

#: Whole months over which the pace of the projection is measured (as the counter does).
PACE_MONTHS = 6
TOP_SOLUTIONS = 20


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    #: a note under the table (what it counts)
    note: str = ""


def status_label(status: str) -> str:
    return {
        indicators.ON_TRACK: gettext("On track"),
        indicators.AT_RISK: gettext("At risk"),
        indicators.LATE: gettext("Late"),
        indicators.NO_TARGET: gettext("No target"),
    }[status]


def indicator_table(values: list[indicators.IndicatorValue]) -> Table:
    table = Table(
        "indicators",
        gettext("Indicators"),
        [
            gettext("Code"),
            gettext("Indicator"),
            gettext("Value"),
            gettext("Target"),
            gettext("Unit"),
            gettext("Status"),
        ],
    )
    for item in values:
        table.rows.append(
            [
                item.code,
                str(item.indicator.label),
                item.value,
                item.target,
                str(UNIT_LABELS[item.indicator.unit]),
                status_label(item.status),
            ]
        )
    return table


def progress_table(values: list[indicators.IndicatorValue], period: Period, today: date) -> Table:
    """Teachers trained month by month: new, cumulative since the target's horizon began
    (or since the period's start without a target), and the projection at the pace of the
    last whole months, toward the target."""
    trained = next(item for item in values if item.code == "teachers_trained")
    origin = trained.horizon[0] if trained.horizon else period.start
    before = 0
    if origin < period.start:
        source = kept if indicators.use_kept_figures() else measures
        earlier = Period(origin, period.start.fromordinal(period.start.toordinal() - 1))
        before = sum(source.trained_days(earlier).values())
    table = Table(
        "progress",
        gettext("Teachers trained, month by month"),
        [gettext("Month"), gettext("Newly trained"), gettext("Cumulative"), gettext("Projection")],
        note=gettext(
            "Cumulative since %(day)s. The projection extends the mean of the last six whole "
            "months.",
            day=origin.isoformat(),
        ),
    )
    current = f"{today:%Y-%m}"
    past = [p for p in trained.trend if p["month"] < current]
    pace = sum(p["value"] for p in past[-PACE_MONTHS:]) / PACE_MONTHS if past else 0
    total = before
    last_known = None
    for point in trained.trend:
        month = point["month"]
        if month <= current:
            total += point["value"]
            last_known = total
            table.rows.append([month, point["value"], total, total if month == current else None])
        else:
            steps = sum(1 for p in trained.trend if current < p["month"] <= month)
            projected = round((last_known or before) + pace * steps)
            table.rows.append([month, None, None, projected])
    return table


def academy_table(period: Period) -> Table:
    source = kept if indicators.use_kept_figures() else measures
    table = Table(
        "by_academy",
        gettext("By académie"),
        [gettext("Académie"), gettext("Teachers trained"), gettext("Teachers reached")],
        note=gettext("Under the teacher's académie; newly trained or reached within the period."),
    )
    trained = source.trained_by_academy(period)
    reached = source.attended_by_academy(period)
    for code, name in sorted(ACADEMIES.items(), key=lambda item: item[1]):
        table.rows.append([name, trained.get(code, 0), reached.get(code, 0)])
    if trained.get(measures.UNKNOWN_ACADEMY) or reached.get(measures.UNKNOWN_ACADEMY):
        table.rows.append(
            [
                gettext("Unknown"),
                trained.get(measures.UNKNOWN_ACADEMY, 0),
                reached.get(measures.UNKNOWN_ACADEMY, 0),
            ]
        )
    return table


def solution_table(period: Period) -> Table:
    source = kept if indicators.use_kept_figures() else measures
    counts = source.by_solution(period)
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_SOLUTIONS]
    names = dict(
        db.session.execute(
            select(Solution.id, Solution.name).where(Solution.id.in_([s for s, _ in top]))
        ).all()
    )
    table = Table(
        "by_solution",
        gettext("By solution"),
        [gettext("Solution"), gettext("Teachers trained")],
        note=gettext(
            "The %(count)s solutions with the most teachers first trained on them within the "
            "period's months; a teacher trained on two solutions counts under each.",
            count=TOP_SOLUTIONS,
        ),
    )
    table.rows = [[names.get(solution_id, str(solution_id)), count] for solution_id, count in top]
    return table


def funnel_table(period: Period) -> Table:
    counts = measures.funnel(period)
    labels = {
        "submit": gettext("Submitted"),
        "admit": gettext("Admitted"),
        "send_to_committee": gettext("Sent to the committee"),
        "decided": gettext("Decided"),
        "approved": gettext("Approved"),
    }
    table = Table(
        "funnel",
        gettext("Audit funnel"),
        [gettext("Stage"), gettext("Audits")],
        note=gettext("Steps taken within the period (an audit may pass a step in another one)."),
    )
    table.rows = [[labels[key], counts[key]] for key in labels]
    return table


def agreement_tables(period: Period) -> tuple[Table, Table]:
    levels = measures.expert_levels(period)
    columns = [gettext("Scored by two experts or more"), gettext("Without divergence (%)"), "κ"]
    criteria = Table(
        "agreement_criteria",
        gettext("Agreement between experts, by criterion"),
        [gettext("Criterion"), *columns],
        note=gettext(
            "Audits first decided within the period. κ: Cohen's kappa with quadratic weights."
        ),
    )
    criteria.rows = [[r.key, r.items, r.share, r.kappa] for r in agreement.by_criterion(levels)]
    expert_rows = agreement.by_expert(levels)
    names = dict(
        db.session.execute(
            select(User.id, User.full_name).where(User.id.in_([r.key for r in expert_rows]))
        ).all()
    )
    experts = Table(
        "agreement_experts",
        gettext("Agreement between experts, by expert"),
        [gettext("Expert"), *columns],
        note=gettext("Each expert's levels compared with the other experts of the same audits."),
    )
    experts.rows = [[names.get(r.key, r.key), r.items, r.share, r.kappa] for r in expert_rows]
    return criteria, experts


def workload_table() -> Table:
    from accelerator.audits.operations import expert_workload

    table = Table(
        "workload",
        gettext("Experts' workload"),
        [gettext("Expert"), gettext("Open assignments")],
        note=gettext("Today: assignments on audits not decided yet."),
    )
    table.rows = [[user.full_name, count] for user, count in expert_workload()]
    return table


@dataclass
class Dashboard:
    period: Period
    values: list[indicators.IndicatorValue]
    tables: dict[str, Table]


def dashboard(period: Period, today: date | None = None) -> Dashboard:
    today = today or date.today()
    with measures.reading():
        values = indicators.compute(period, today=today)
        criteria, experts = agreement_tables(period)
        tables = [
            indicator_table(values),
            progress_table(values, period, today),
            academy_table(period),
            solution_table(period),
            funnel_table(period),
            criteria,
            experts,
            workload_table(),
        ]
    return Dashboard(period, values, {table.key: table for table in tables})
