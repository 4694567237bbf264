"""Every indicator's value, target, status and monthly trend for a period and académie.

Rules of each measure: ``definitions`` (written out) and ``measures``; the status rule:
``definitions`` module docstring. The training measures are read from the kept figures once
they have been refreshed (``kept``), else recounted from the source tables; both answer the
same figures.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask import current_app

from accelerator.core.reference import ACADEMIES
from accelerator.reporting import agreement, kept, measures
from accelerator.reporting.definitions import BY_CODE, INDICATORS, UNIT_LABELS, Indicator
from accelerator.reporting.models import Target
from accelerator.reporting.periods import Period, school_year_of
from accelerator.reporting.sources import NEW_TEACHER_STAGES

ON_TRACK, AT_RISK, LATE, NO_TARGET = "on_track", "at_risk", "late", "no_target"
#: Share of the (pro rata) target below which a figure is late rather than at risk.
RATE_TOLERANCE = 0.9
FLOW_TOLERANCE = 0.8
#: For a figure where lower is better, the multiple of the target still at risk.
LOWER_TOLERANCE = 1.1


@dataclass
class IndicatorValue:
    indicator: Indicator
    value: float | None
    target: float | None
    status: str
    trend: list[dict] = field(default_factory=list)
    #: the target's horizon, when a target is in force
    horizon: tuple[date, date] | None = None
    #: the target pro rata of the period, for flows
    expected: float | None = None

    @property
    def code(self) -> str:
        return self.indicator.code

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "label": str(self.indicator.label),
            "definition": str(self.indicator.definition),
            "value": self.value,
            "target": self.target,
            "unit": self.indicator.unit,
            "unit_label": str(UNIT_LABELS[self.indicator.unit]),
            "status": self.status,
            "objective": self.indicator.objective,
            "horizon": {"from": self.horizon[0].isoformat(), "to": self.horizon[1].isoformat()}
            if self.horizon
            else None,
            "trend": self.trend,
        }


def _rate(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _sum_days(days: dict, start: date, end: date, key: str | None = None) -> int:
    return sum((value[key] if key else value) for day, value in days.items() if start <= day <= end)


def _month_sums(days: dict, key: str | None = None) -> dict[str, int]:
    """The daily figures summed by ``YYYY-MM`` (one pass)."""
    sums: dict[str, int] = {}
    for day, value in days.items():
        month = f"{day.year:04d}-{day.month:02d}"
        sums[month] = sums.get(month, 0) + (value[key] if key else value)
    return sums


def use_kept_figures() -> bool:
    return bool(current_app.config.get("REPORTING_KEPT_FIGURES", True)) and kept.state() is not None


def compute(
    period: Period, use_kept: bool | None = None, today: date | None = None
) -> list[IndicatorValue]:
    """The indicators for ``period``, in the order of ``definitions.INDICATORS``."""
    today = today or date.today()
    source = (
        (kept if use_kept_figures() else measures)
        if use_kept is None
        else (kept if use_kept else measures)
    )
    targets = measures.targets_in_force()
    computers: dict[str, Callable[[], tuple[float | None, list[dict]]]] = {
        "teachers_trained": lambda: _flow(source.trained_days(period), period),
        "trainings_completed_rate": lambda: _session_rate(source, period, "completed", "attended"),
        "satisfaction_rate": lambda: _session_rate(source, period, "satisfied", "ratings"),
        "reinvestment_points": lambda: _reinvestment(source, period),
        "certified_teachers": lambda: _flow(measures.certified_days(period), period),
        "new_teachers_trained_rate": lambda: _population_rate(
            source.first_completed_days(period, NEW_TEACHER_STAGES), period, new_teachers=True
        ),
        "teachers_reached_rate": lambda: _population_rate(
            source.first_attended_days(period), period, new_teachers=False
        ),
        "academies_partnership_rate": lambda: _partnerships(period),
        "paf_actions": lambda: _flow(measures.paf_first_days(period), period),
        "audits_submitted": lambda: _flow(measures.submitted_days(period), period),
        "audits_in_review": lambda: _stock(measures.in_review_on, period, today),
        "audits_decided": lambda: _decisions(period, "count"),
        "approval_rate": lambda: _decisions(period, "approval"),
        "median_days_to_decision": lambda: _decisions(period, "median"),
        "approvals_expiring_90d": lambda: _stock(measures.expiring_on, period, today),
        "expert_agreement_rate": lambda: _agreement(period),
    }
    results = []
    with measures.reading():
        computed = {indicator.code: computers[indicator.code]() for indicator in INDICATORS}
    for indicator in INDICATORS:
        value, trend = computed[indicator.code]
        results.append(_judge(indicator, value, trend, targets.get(indicator.code), period, today))
    return results


def compute_one(code: str, period: Period, **kwargs) -> IndicatorValue:
    return next(item for item in compute(period, **kwargs) if item.code == BY_CODE[code].code)


# --- Measures into values and trends ---------------------------------------------------------


def _group_by_month(rows) -> dict[str, list]:
    """Rows whose first item is a day, by ``YYYY-MM``."""
    by_day: dict[date, list] = {}
    for row in rows:
        by_day.setdefault(row[0], []).append(row)
    # a month's key formatted once per day, not once per row (thousands of decisions)
    grouped: dict[str, list] = {}
    for day, day_rows in by_day.items():
        grouped.setdefault(f"{day.year:04d}-{day.month:02d}", []).extend(day_rows)
    return grouped


def _flow(days: dict[date, int], period: Period) -> tuple[float | None, list[dict]]:
    sums = _month_sums(days)
    trend = [{"month": m, "value": sums.get(m, 0)} for m in period.months()]
    return sum(days.values()), trend


def _session_rate(source, period: Period, part: str, whole: str):
    days = source.session_days(period)
    value = _rate(
        _sum_days(days, period.start, period.end, part),
        _sum_days(days, period.start, period.end, whole),
    )
    parts, wholes = _month_sums(days, part), _month_sums(days, whole)
    trend = [
        {"month": m, "value": _rate(parts.get(m, 0), wholes.get(m, 0))} for m in period.months()
    ]
    return value, trend


def _points(rows) -> float | None:
    """Share answering yes at follow-up minus share answering yes at enrolment, in
    percentage points, among the teachers who answered both (None without any)."""
    pairs = sum(row["pairs"] for row in rows)
    if not pairs:
        return None
    return round(100 * (sum(r["after"] for r in rows) - sum(r["before"] for r in rows)) / pairs, 1)


def _reinvestment(source, period: Period):
    days = source.reinvestment_days(period)
    by_month: dict[str, list] = {}
    for day, row in days.items():
        by_month.setdefault(f"{day:%Y-%m}", []).append(row)
    trend = [{"month": m, "value": _points(by_month.get(m, []))} for m in period.months()]
    return _points(list(days.values())), trend


def _population_rate(days: dict[date, int], period: Period, new_teachers: bool):
    """Cumulative from the period's start, over the population of the school year in which
    the period ends."""
    figures = measures.population(school_year_of(period.end), period.academy)
    whole = None if figures is None else figures[1 if new_teachers else 0]
    if not whole:
        return None, [{"month": m, "value": None} for m, _ in period.month_ends()]
    sums, total, trend = _month_sums(days), 0, []
    for month, _ in period.month_ends():
        total += sums.get(month, 0)  # cumulative from the period's start
        trend.append({"month": month, "value": _rate(total, whole)})
    return _rate(sum(days.values()), whole), trend


def _partnerships(period: Period):
    whole = 1 if period.academy else len(ACADEMIES)
    month_ends = period.month_ends()
    covered = measures.academies_covered(
        [end for _, end in month_ends] + [period.end], period.academy
    )
    trend = [
        {"month": m, "value": _rate(count, whole)}
        for (m, _), count in zip(month_ends, covered, strict=False)
    ]
    return _rate(covered[-1], whole), trend


def _stock(measure: Callable[[list[date]], list[int]], period: Period, today: date):
    """A state on the period's last day (today when it ends later), and on each month's."""
    month_ends = period.month_ends()
    days = [min(end, today) for _, end in month_ends] + [min(period.end, today)]
    values = measure(days)
    trend = [{"month": m, "value": v} for (m, _), v in zip(month_ends, values, strict=False)]
    return values[-1], trend


def _decisions(period: Period, kind: str):
    rows = measures.decisions(period)

    def figure(selected) -> float | None:
        if kind == "count":
            return len(selected)
        if kind == "approval":
            return _rate(sum(1 for _, approved, _ in selected if approved), len(selected))
        waits = [waited for _, _, waited in selected if waited is not None]
        return round(statistics.median(waits), 1) if waits else None

    by_month = _group_by_month(rows)
    trend = [{"month": m, "value": figure(by_month.get(m, []))} for m in period.months()]
    return figure(rows), trend


def _agreement(period: Period):
    levels = measures.expert_levels(period)
    agreeing, items = agreement.share(levels)
    by_month = _group_by_month(levels)
    trend = []
    for m in period.months():
        month_agreeing, month_items = agreement.share(by_month.get(m, []))
        trend.append({"month": m, "value": _rate(month_agreeing, month_items)})
    return _rate(agreeing, items), trend


# --- Status ----------------------------------------------------------------------------------


def _judge(
    indicator: Indicator,
    value: float | None,
    trend: list[dict],
    target: Target | None,
    period: Period,
    today: date,
) -> IndicatorValue:
    """The status against the target; a flow's target is taken pro rata of the horizon's
    days the period covers up to today (what should have been reached by now)."""
    if target is None:
        return IndicatorValue(indicator, value, None, NO_TARGET, trend)
    horizon = (target.horizon_start, target.horizon_end)
    goal = target.value
    if indicator.kind == "flow":
        overlap = (
            min(period.end, target.horizon_end, today) - max(period.start, target.horizon_start)
        ).days + 1
        if overlap <= 0:
            return IndicatorValue(indicator, value, goal, NO_TARGET, trend, horizon)
        horizon_days = (target.horizon_end - target.horizon_start).days + 1
        goal = goal * overlap / horizon_days
    result = IndicatorValue(
        indicator, value, target.value, status_of(indicator, value, goal), trend, horizon
    )
    if indicator.kind == "flow":
        result.expected = round(goal)
    return result


def status_of(indicator: Indicator, value: float | None, goal: float) -> str:
    """on_track, at_risk or late of ``value`` against ``goal`` (rules: ``definitions``)."""
    if value is None:
        return LATE
    if indicator.lower_is_better:
        if value <= goal:
            return ON_TRACK
        return AT_RISK if value <= goal * LOWER_TOLERANCE else LATE
    if value >= goal:
        return ON_TRACK
    tolerance = FLOW_TOLERANCE if indicator.kind == "flow" else RATE_TOLERANCE
    return AT_RISK if value >= goal * tolerance else LATE
