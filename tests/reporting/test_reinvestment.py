"""The reinvestment indicator on hand-built data: share "yes" at follow-up minus share "yes"
at enrolment, in points, among the teachers who answered both; period boundaries, the
académie filter, empty data, a teacher counted once, the target from the settings; the same
figure on the dashboard, in the API and in the exports; the follow-up delay setting."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from accelerator.accounts.models import Role
from accelerator.certification import questionnaires
from accelerator.core.errors import Forbidden
from accelerator.extensions import db
from accelerator.reporting import indicators, kept, operations
from accelerator.reporting.models import FollowUpDelay
from accelerator.reporting.periods import Period
from accelerator.training.models import SessionStatus
from tests.factories import make_user
from tests.reporting.helpers import enrol, session_on, set_target, teacher

SCHOOL_YEAR = Period(date(2026, 9, 1), date(2027, 8, 31))
TODAY = date(2027, 9, 15)
DAY = date(2026, 10, 5)


def points(period: Period = SCHOOL_YEAR, use_kept: bool = False):
    return indicators.compute_one("reinvestment_points", period, today=TODAY, use_kept=use_kept)


@pytest.mark.parametrize("use_kept", [False, True])
def test_points_are_the_share_yes_after_minus_the_share_yes_before(use_kept):
    """Four teachers answered both: one yes before (25 %), three yes after (75 %): +50
    points. A teacher who answered only one question is not in the denominator."""
    session = session_on(DAY)
    for before, after in ((False, True), (False, True), (True, True), (False, False)):
        enrol(session, attended=True, before=before, after=after)
    enrol(session, attended=True, before=True)  # no follow-up answer
    enrol(session, attended=True, after=True)  # no answer at enrolment
    if use_kept:
        kept.refresh()
        db.session.commit()
    result = points(use_kept=use_kept)
    assert result.value == 50.0
    assert {p["month"]: p["value"] for p in result.trend}["2026-10"] == 50.0
    assert {p["month"]: p["value"] for p in result.trend}["2026-11"] is None


def test_no_teacher_answering_both_gives_null_not_zero():
    """Null means "nobody answered both", which zero (no change) would misstate."""
    session = session_on(DAY)
    enrol(session, attended=True, before=True)
    enrol(session, attended=True, after=True)
    assert points().value is None
    set_target("reinvestment_points", 20, date(2025, 9, 1), date(2027, 8, 31))
    assert points().status == "late"  # a target in force, and no data
    assert all(p["value"] is None for p in points().trend)


def test_no_change_in_practice_is_zero_points():
    session = session_on(DAY)
    enrol(session, attended=True, before=True, after=True)
    enrol(session, attended=True, before=False, after=False)
    assert points().value == 0.0


@pytest.mark.parametrize(
    ("session_day", "counted"),
    [
        (date(2026, 8, 31), False),  # the day before the period
        (date(2026, 9, 1), True),  # its first day
        (date(2027, 8, 31), True),  # its last day
        (date(2027, 9, 1), False),  # the day after
    ],
)
def test_the_session_end_day_places_the_teacher_in_the_period(session_day, counted):
    enrol(session_on(session_day), attended=True, before=False, after=True)
    assert points().value == (100.0 if counted else None)


def test_the_academie_filter_uses_the_teachers_academie():
    session = session_on(DAY, academy="paris")
    enrol(session, teacher("lyon"), attended=True, before=False, after=True)
    enrol(session, teacher("paris"), attended=True, before=False, after=False)
    assert points(Period(SCHOOL_YEAR.start, SCHOOL_YEAR.end, "lyon")).value == 100.0
    assert points(Period(SCHOOL_YEAR.start, SCHOOL_YEAR.end, "paris")).value == 0.0
    assert points(Period(SCHOOL_YEAR.start, SCHOOL_YEAR.end, "nice")).value is None
    assert points().value == 50.0


@pytest.mark.parametrize("use_kept", [False, True])
def test_a_teacher_counts_once_with_their_first_session_answered_both_ways(use_kept):
    """Camille answered both for two sessions: only the first (October) counts, in
    October; Dominique's only pair is in November."""
    camille, dominique = teacher(), teacher()
    enrol(session_on(date(2026, 10, 5)), camille, attended=True, before=False, after=True)
    enrol(session_on(date(2026, 11, 9)), camille, attended=True, before=True, after=False)
    enrol(session_on(date(2026, 11, 10)), dominique, attended=True, before=False, after=False)
    if use_kept:
        kept.refresh()
        db.session.commit()
    result = points(use_kept=use_kept)
    assert result.value == 50.0  # (1 - 0) / 2 teachers
    trend = {p["month"]: p["value"] for p in result.trend}
    assert (trend["2026-10"], trend["2026-11"]) == (100.0, 0.0)


def test_absent_teachers_and_cancelled_sessions_do_not_count():
    enrol(session_on(DAY), attended=False, before=False, after=True)
    cancelled = session_on(DAY, status=SessionStatus.cancelled)
    enrol(cancelled, attended=True, before=False, after=True)
    assert points().value is None


@pytest.mark.parametrize(
    ("target", "status"),
    [(20, "on_track"), (30, "on_track"), (40, "late"), (None, "no_target")],
)
def test_status_against_the_target_of_the_settings(target, status):
    """+30 points measured (yes: 10 % before, 40 % after): the target reached (20, 30) is
    on track, 40 is late (30 is below 90 % of it), no target in force is no_target."""
    session = session_on(DAY)
    answers = [(True, True)] + [(False, True)] * 3 + [(False, False)] * 6
    for before, after in answers:
        enrol(session, attended=True, before=before, after=after)
    set_target("reinvestment_points", target, date(2025, 9, 1), date(2027, 8, 31))
    result = points()
    assert (result.value, result.status, result.target) == (30.0, status, target)


def test_at_risk_within_ninety_percent_of_the_target():
    session = session_on(DAY)
    for before, after in [(False, True)] * 9 + [(False, False)] * 41:  # +18 points
        enrol(session, attended=True, before=before, after=after)
    set_target("reinvestment_points", 20, date(2025, 9, 1), date(2027, 8, 31))
    assert (points().value, points().status) == (18.0, "at_risk")


@pytest.fixture
def answered():
    session = session_on(DAY)
    enrol(session, attended=True, before=False, after=True)
    enrol(session, attended=True, before=False, after=False)
    return session


QUERY = "from=2026-09-01&to=2027-08-31"


def test_the_api_dashboard_and_exports_show_the_same_figure(api, client, login_as, answered):
    manager = make_user(Role.manager)
    body = api.get(f"/indicators?{QUERY}", user=manager).get_json()
    [item] = [i for i in body["items"] if i["code"] == "reinvestment_points"]
    assert (item["value"], item["unit"]) == (50.0, "points")
    assert "first such session" in item["definition"] or "première session" in item["definition"]

    login_as(manager)
    page = client.get(f"/pilotage/indicateurs?{QUERY}").get_data(as_text=True)
    tile = page[page.index('id="indicator-reinvestment_points"') :][:1500]
    assert 'data-value="50.0"' in tile
    raw = client.get(f"/pilotage/indicateurs/indicators.csv?{QUERY}").data
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    [row] = [r for r in rows if "Réinvestissement" in r[0] or "einvest" in r[0]]
    assert "50" in row


def test_the_follow_up_delay_is_a_setting_with_its_history(client, login_as):
    manager = login_as(make_user(Role.manager))
    assert questionnaires.follow_up_weeks() == questionnaires.DEFAULT_FOLLOW_UP_WEEKS == 6

    refused = client.post("/pilotage/indicateurs/parametres/questionnaire-de-suivi", data={})
    assert refused.status_code == 422
    assert "Ce champ est obligatoire." in refused.get_data(as_text=True)
    for bad in ("0", "53", "six"):
        response = client.post(
            "/pilotage/indicateurs/parametres/questionnaire-de-suivi",
            data={"follow_up-weeks": bad},
        )
        assert response.status_code == 422, bad
    assert db.session.query(FollowUpDelay).count() == 0

    for weeks in ("8", "10"):
        response = client.post(
            "/pilotage/indicateurs/parametres/questionnaire-de-suivi",
            data={"follow_up-weeks": weeks},
        )
        assert response.status_code == 303
    assert questionnaires.follow_up_weeks() == 10
    page = client.get("/pilotage/indicateurs/parametres").get_data(as_text=True)
    assert "En vigueur : 10 semaines après la session." in page
    history = page[page.index('id="follow-up"') :]
    assert history.index("<td>10</td>") < history.index("<td>8</td>")
    assert manager.full_name in history


def test_only_managers_and_admins_set_the_delay(client, login_as):
    login_as(make_user(Role.trainer))
    response = client.post(
        "/pilotage/indicateurs/parametres/questionnaire-de-suivi", data={"follow_up-weeks": "4"}
    )
    assert response.status_code == 403
    with pytest.raises(Forbidden):
        operations.set_follow_up_delay(make_user(Role.teacher), 4)
    assert db.session.query(FollowUpDelay).count() == 0
