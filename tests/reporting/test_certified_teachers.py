"""Teachers certified on a training path, on hand-built path certificates: a teacher counts
once, on the day of their first certificate in force, under their own académie; both days
of the period count; a revoked certificate does not; the target is the settings' one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from accelerator.accounts.models import Role
from accelerator.certification.models import PathCertificate
from accelerator.certification.operations import new_code, sync_path_certificates
from accelerator.extensions import db
from accelerator.reporting import indicators
from accelerator.reporting.periods import Period
from accelerator.training import operations
from tests.factories import make_user
from tests.reporting.helpers import set_target, teacher
from tests.training.factories import add_enrollment, make_catalogue_solution, make_session

SCHOOL_YEAR = Period(date(2026, 9, 1), date(2027, 8, 31))
TODAY = date(2027, 9, 15)
CODE = "certified_teachers"


def _path():
    manager = make_user(Role.manager)
    path = operations.create_path(
        manager,
        {
            "title": f"Parcours {new_code()}",
            "modules": [{"solution_id": make_catalogue_solution().id} for _ in range(2)],
        },
    )
    operations.publish_path(manager, path)
    db.session.commit()
    return path


def certify(profile, day: date, path=None, revoked: bool = False) -> PathCertificate:
    """A path certificate of ``profile`` issued at 23:30 UTC on ``day`` (the UTC day counts)."""
    issued = datetime(day.year, day.month, day.day, 23, 30, tzinfo=UTC)
    certificate = PathCertificate(
        path_id=(path or _path()).id,
        teacher_id=profile.id,
        code=new_code(),
        issued_at=issued,
        revoked_at=issued + timedelta(days=1) if revoked else None,
    )
    db.session.add(certificate)
    db.session.commit()
    return certificate


def value(period: Period = SCHOOL_YEAR):
    return indicators.compute_one(CODE, period, today=TODAY, use_kept=False)


def test_no_certificate_counts_zero_and_is_late_against_the_settings_target():
    set_target(CODE, 13_500, date(2025, 9, 1), date(2027, 8, 31))
    result = value()
    assert result.value == 0
    assert [point["value"] for point in result.trend] == [0] * 12
    assert (result.target, result.status) == (13_500, "late")


def test_without_a_target_in_the_settings_there_is_no_status():
    assert value().status == "no_target"


@pytest.mark.parametrize(
    ("day", "counted"),
    [
        (date(2026, 8, 31), False),  # the day before the period
        (date(2026, 9, 1), True),  # its first day
        (date(2027, 8, 31), True),  # its last day
        (date(2027, 9, 1), False),  # the day after
    ],
)
def test_period_boundaries_include_both_days(day, counted):
    certify(teacher(), day)
    assert value().value == (1 if counted else 0)


def test_a_teacher_certified_on_two_paths_counts_once_in_the_month_of_the_first():
    camille = teacher()
    certify(camille, date(2026, 10, 5))
    certify(camille, date(2026, 11, 20))
    certify(teacher(), date(2026, 11, 21))
    result = value()
    assert result.value == 2
    trend = {point["month"]: point["value"] for point in result.trend}
    assert (trend["2026-10"], trend["2026-11"]) == (1, 1)


def test_a_teacher_certified_before_the_period_is_not_new_in_it():
    camille = teacher()
    certify(camille, date(2026, 6, 1))
    certify(camille, date(2026, 10, 1))
    assert value().value == 0


def test_a_revoked_certificate_does_not_count_and_the_next_one_in_force_does():
    camille, dominique = teacher(), teacher()
    certify(camille, date(2026, 10, 1), revoked=True)
    certify(dominique, date(2026, 10, 1), revoked=True)
    certify(dominique, date(2027, 2, 3))
    result = value()
    assert result.value == 1
    assert {p["month"]: p["value"] for p in result.trend}["2027-02"] == 1


def test_the_academie_filter_uses_the_teachers_academie():
    for academy in ("lyon", "paris", None):
        certify(teacher(academy), date(2026, 10, 1))
    assert value(Period(SCHOOL_YEAR.start, SCHOOL_YEAR.end, "lyon")).value == 1
    assert value(Period(SCHOOL_YEAR.start, SCHOOL_YEAR.end, "creteil")).value == 0
    assert value().value == 3


def test_the_status_compares_with_the_target_pro_rata_of_the_horizon():
    # the horizon is the school year; the period, its whole: the full target is expected
    set_target(CODE, 5, SCHOOL_YEAR.start, SCHOOL_YEAR.end)
    for _ in range(4):
        certify(teacher(), date(2026, 12, 1))
    assert value().status == "at_risk"  # 4 of 5: 80 %, a flow's tolerance
    certify(teacher(), date(2027, 1, 1))
    assert value().status == "on_track"


def test_completing_every_module_shows_on_the_dashboard_api(api):
    """From the attendance to the indicator: the certificate issued today counts today."""
    path = _path()
    profile = make_user(Role.teacher).teacher
    for module in path.modules:
        session = make_session([module.solution], starts_in=timedelta(days=-2))
        add_enrollment(session, profile, attended=True, completed=True)
    sync_path_certificates([profile.id])
    db.session.commit()
    today = date.today()
    answer = api.get(
        f"/indicators?from={today.replace(day=1)}&to={today}", user=make_user(Role.manager)
    )
    assert answer.status_code == 200
    item = next(i for i in answer.json["items"] if i["code"] == CODE)
    assert item["value"] == 1 and item["unit"] == "teachers"
    assert "certificat de parcours" in item["definition"]
