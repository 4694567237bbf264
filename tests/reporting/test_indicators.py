"""Each indicator on hand-built data: what counts, the period's boundaries (both days
included), the académie filter, empty data, a teacher counted once."""

from __future__ import annotations

from datetime import date

import pytest

from accelerator.audits.states import AuditStatus
from accelerator.extensions import db
from accelerator.reporting import indicators
from accelerator.reporting.models import PafAction, Partnership
from accelerator.reporting.periods import Period
from accelerator.training.models import EnrollmentStatus, SessionStatus
from tests.reporting.helpers import (
    approved_solution,
    decided_audit,
    enrol,
    event,
    session_on,
    set_population,
    set_target,
    teacher,
)

SCHOOL_YEAR = Period(date(2026, 9, 1), date(2027, 8, 31))
TODAY = date(2027, 9, 15)


def value(code: str, period: Period = SCHOOL_YEAR, **kwargs):
    return indicators.compute_one(code, period, today=TODAY, use_kept=False, **kwargs)


def test_empty_data_gives_zero_counts_and_null_rates():
    results = {item.code: item for item in indicators.compute(SCHOOL_YEAR, today=TODAY)}
    assert len(results) == 16
    assert results["teachers_trained"].value == 0
    assert results["audits_decided"].value == 0
    for code in (
        "trainings_completed_rate",
        "satisfaction_rate",
        "approval_rate",
        "median_days_to_decision",
        "expert_agreement_rate",
        "reinvestment_points",
        "new_teachers_trained_rate",
        "teachers_reached_rate",
    ):
        assert results[code].value is None, code
    assert [p["month"] for p in results["teachers_trained"].trend][:2] == ["2026-09", "2026-10"]
    assert len(results["teachers_trained"].trend) == 12


def test_a_teacher_trained_twice_counts_once_in_the_month_of_the_first_session():
    solution = approved_solution()
    camille = teacher()
    enrol(session_on(date(2026, 10, 5), [solution]), camille, completed=True)
    enrol(session_on(date(2026, 11, 20), [solution]), camille, completed=True)
    enrol(session_on(date(2026, 11, 21), [solution]), teacher(), completed=True)
    result = value("teachers_trained")
    assert result.value == 2
    trend = {p["month"]: p["value"] for p in result.trend}
    assert trend["2026-10"] == 1 and trend["2026-11"] == 1


@pytest.mark.parametrize(
    ("session_day", "counted"),
    [
        (date(2026, 8, 31), False),  # the day before the period
        (date(2026, 9, 1), True),  # its first day
        (date(2027, 8, 31), True),  # its last day
        (date(2027, 9, 1), False),  # the day after
    ],
)
def test_period_boundaries_include_both_days(session_day, counted):
    enrol(session_on(session_day), completed=True)
    assert value("teachers_trained").value == (1 if counted else 0)


def test_teachers_trained_before_the_period_are_not_new_in_it():
    solution = approved_solution()
    camille = teacher()
    enrol(session_on(date(2026, 6, 1), [solution]), camille, completed=True)
    enrol(session_on(date(2026, 10, 1), [solution]), camille, completed=True)
    assert value("teachers_trained").value == 0


@pytest.mark.parametrize(
    ("country", "session_status", "completed", "counted"),
    [
        ("FR", SessionStatus.scheduled, True, True),
        ("BE", SessionStatus.scheduled, True, False),  # not a French company
        ("FR", SessionStatus.cancelled, True, False),  # cancelled session
        ("FR", SessionStatus.scheduled, False, False),  # attended, not completed
    ],
)
def test_what_counts_as_trained(country, session_status, completed, counted):
    session = session_on(date(2026, 10, 1), [approved_solution(country)], status=session_status)
    enrol(session, attended=True, completed=completed)
    assert value("teachers_trained").value == (1 if counted else 0)


def test_solution_approved_after_the_session_does_not_count():
    late = approved_solution(decided_on=date(2026, 12, 1))
    enrol(session_on(date(2026, 10, 1), [late]), completed=True)
    assert value("teachers_trained").value == 0


def test_academy_filter_uses_the_teachers_academy_for_teacher_counts():
    session = session_on(date(2026, 10, 1), academy="paris")
    enrol(session, teacher("lyon"), completed=True)
    enrol(session, teacher("paris"), completed=True)
    enrol(session, teacher(None), completed=True)
    lyon = Period(SCHOOL_YEAR.start, SCHOOL_YEAR.end, "lyon")
    assert value("teachers_trained", lyon).value == 1
    assert value("teachers_trained").value == 3


def test_completion_rate_divides_completed_by_attended_in_sessions_ended_in_the_period():
    session = session_on(date(2026, 10, 1), academy="lyon")
    enrol(session, completed=True)
    enrol(session, completed=True)
    enrol(session, attended=True)  # started, did not finish
    enrol(session)  # never came: not in the denominator
    enrol(session, status=EnrollmentStatus.waitlisted)
    cancelled = session_on(date(2026, 10, 2), status=SessionStatus.cancelled)
    enrol(cancelled, attended=True)
    assert value("trainings_completed_rate").value == pytest.approx(66.7)
    assert (
        value("trainings_completed_rate", Period(SCHOOL_YEAR.start, SCHOOL_YEAR.end, "paris")).value
        is None
    )
    trend = {p["month"]: p["value"] for p in value("trainings_completed_rate").trend}
    assert trend["2026-10"] == pytest.approx(66.7) and trend["2026-11"] is None


def test_satisfaction_counts_ratings_of_four_and_five_among_ratings_given():
    session = session_on(date(2026, 10, 1))
    for rating in (5, 4, 3, 1):
        enrol(session, attended=True, rating=rating)
    enrol(session, attended=True)  # no rating: not counted
    assert value("satisfaction_rate").value == 50.0


def test_population_rates_need_the_populations_of_the_school_year():
    session = session_on(date(2026, 10, 1))
    enrol(session, teacher("paris", "stagiaire"), completed=True)
    enrol(session, teacher("paris", "neotitulaire"), attended=True)
    enrol(session, teacher("paris", "titulaire"), completed=True)
    paris = Period(SCHOOL_YEAR.start, SCHOOL_YEAR.end, "paris")
    assert value("teachers_reached_rate", paris).value is None
    set_population(2026, "paris", teachers=30, new_teachers=10)
    set_population(2025, "paris", teachers=5, new_teachers=1)  # another school year
    assert value("teachers_reached_rate", paris).value == 10.0  # 3 of 30
    assert value("new_teachers_trained_rate", paris).value == 10.0  # 1 completed of 10
    # every académie needs its figure before a national rate exists
    assert value("teachers_reached_rate").value is None


def test_latest_population_row_is_in_force():
    enrol(session_on(date(2026, 10, 1)), teacher("paris"), attended=True)
    set_population(2026, "paris", teachers=10, new_teachers=1)
    set_population(2026, "paris", teachers=20, new_teachers=1)
    paris = Period(SCHOOL_YEAR.start, SCHOOL_YEAR.end, "paris")
    assert value("teachers_reached_rate", paris).value == 5.0


def test_partnership_rate_counts_academies_with_an_agreement_in_force_on_the_last_day():
    for academy, start, end in (
        ("paris", date(2026, 1, 1), None),
        ("lyon", date(2026, 1, 1), date(2027, 8, 31)),  # ends on the last day: in force
        ("nice", date(2026, 1, 1), date(2027, 6, 30)),  # over before the end
        ("lille", date(2027, 9, 1), None),  # starts after
        ("paris", date(2026, 6, 1), None),  # a second one for paris counts once
    ):
        db.session.add(
            Partnership(academy=academy, title="Convention", starts_on=start, ends_on=end)
        )
    db.session.commit()
    assert value("academies_partnership_rate").value == pytest.approx(100 * 2 / 30, abs=0.05)
    nice = Period(SCHOOL_YEAR.start, SCHOOL_YEAR.end, "nice")
    assert value("academies_partnership_rate", nice).value == 0.0
    assert (
        value(
            "academies_partnership_rate", Period(SCHOOL_YEAR.start, SCHOOL_YEAR.end, "paris")
        ).value
        == 100.0
    )


def test_paf_actions_count_once_in_the_month_of_their_first_session():
    first, second = session_on(date(2026, 10, 1)), session_on(date(2027, 1, 1))
    before = session_on(date(2026, 5, 1))
    cancelled = session_on(date(2026, 11, 1), status=SessionStatus.cancelled)
    db.session.add_all(
        [
            PafAction(academy="paris", year=2026, code="26A001", sessions=[first, second]),
            PafAction(academy="lyon", year=2026, code="26A002", sessions=[second]),
            PafAction(academy="lyon", year=2025, code="25A003", sessions=[before, first]),
            PafAction(academy="nice", year=2026, code="26A004", sessions=[cancelled]),
            PafAction(academy="nice", year=2026, code="26A005", sessions=[]),
        ]
    )
    db.session.commit()
    assert value("paf_actions").value == 2
    assert value("paf_actions", Period(SCHOOL_YEAR.start, SCHOOL_YEAR.end, "lyon")).value == 1


def test_audit_pipeline_figures():
    decided_audit(date(2026, 9, 1), date(2026, 10, 1))  # 30 days
    decided_audit(date(2026, 9, 10), date(2026, 11, 9), AuditStatus.rejected)  # 60 days
    decided_audit(date(2026, 7, 1), date(2026, 12, 30), AuditStatus.approved_with_conditions)
    decided_audit(date(2026, 1, 1), date(2026, 3, 1))  # decided before the period
    results = {
        item.code: item for item in indicators.compute(SCHOOL_YEAR, today=TODAY, use_kept=False)
    }
    assert results["audits_submitted"].value == 2
    assert results["audits_decided"].value == 3
    assert results["approval_rate"].value == pytest.approx(66.7)
    assert results["median_days_to_decision"].value == pytest.approx(60.0, abs=0.5)


def test_audits_in_review_on_the_last_day_follow_the_history():
    from tests.audits.factories import make_audit

    reviewed = make_audit(status=AuditStatus.in_review)
    event(reviewed, "submit", date(2026, 9, 1), "draft", "submitted")
    event(reviewed, "admit", date(2026, 9, 2), "submitted", "in_review")
    waiting = make_audit(status=AuditStatus.info_requested)
    event(waiting, "submit", date(2026, 9, 1), "draft", "submitted")  # only submitted
    later = make_audit(status=AuditStatus.committee)
    event(later, "admit", date(2027, 10, 1), "submitted", "in_review")  # after the period
    db.session.commit()
    assert value("audits_in_review").value == 1


def test_approvals_expiring_within_ninety_days_of_the_last_day():
    from tests.audits.factories import make_approved_audit

    make_approved_audit(valid_until=date(2027, 9, 30), decided_on=date(2025, 9, 30))
    make_approved_audit(valid_until=date(2027, 11, 29), decided_on=date(2025, 11, 29))  # day 90
    make_approved_audit(valid_until=date(2027, 11, 30), decided_on=date(2025, 11, 30))  # day 91
    make_approved_audit(valid_until=date(2027, 8, 1), decided_on=date(2025, 8, 1))  # expired
    db.session.commit()
    assert value("approvals_expiring_90d").value == 2


def test_expert_agreement_counts_criteria_without_divergence():
    decided_audit(
        date(2026, 9, 1),
        date(2026, 10, 1),
        levels={"RGPD-01": (2, 3), "RGPD-02": (0, 2), "PEDA-01": (1, 1), "PEDA-02": (3,)},
    )
    # three criteria scored twice, one of them two levels apart; one scored once: left out
    assert value("expert_agreement_rate").value == pytest.approx(66.7)


@pytest.mark.parametrize(
    ("code", "target_value", "measured", "status"),
    [
        ("satisfaction_rate", 80, (5, 5, 4, 4, 5), "on_track"),  # 100 %
        ("satisfaction_rate", 80, (5, 5, 5, 1), "at_risk"),  # 75 % >= 72 %
        ("satisfaction_rate", 80, (5, 1), "late"),  # 50 %
        ("satisfaction_rate", None, (5,), "no_target"),
    ],
)
def test_status_of_a_rate_against_its_target(code, target_value, measured, status):
    if target_value is not None:
        set_target(code, target_value, date(2026, 1, 1), date(2027, 12, 31))
    session = session_on(date(2026, 10, 1))
    for rating in measured:
        enrol(session, attended=True, rating=rating)
    assert value(code).status == status


@pytest.mark.parametrize(
    ("trained", "status"),
    [(5, "on_track"), (4, "at_risk"), (3, "late")],
)
def test_status_of_a_flow_is_pro_rata_of_the_horizon(trained, status):
    # a target of 10 over two school years: the period (one of them) expects 5
    set_target("teachers_trained", 10, date(2025, 9, 1), date(2027, 8, 31))
    session = session_on(date(2026, 10, 1))
    for _ in range(trained):
        enrol(session, completed=True)
    result = value("teachers_trained")
    assert result.expected == pytest.approx(5.0, abs=0.01)
    assert result.status == status


def test_no_data_with_a_target_is_late_and_the_latest_target_is_in_force():
    set_target("satisfaction_rate", 80, date(2026, 1, 1), date(2027, 12, 31))
    assert value("satisfaction_rate").status == "late"
    set_target("satisfaction_rate", None, date(2026, 1, 1), date(2027, 12, 31))
    assert value("satisfaction_rate").status == "no_target"
