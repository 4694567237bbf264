"""``flask seed-demo`` for training, and ``flask training import-attendance``."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from accelerator.accounts.models import Role
from accelerator.extensions import db
from accelerator.training.models import (
    Enrollment,
    EnrollmentStatus,
    SessionStatus,
    TrainingSession,
)
from tests.factories import make_user
from tests.training.factories import make_catalogue_solution, make_session


def test_seed_demo_without_catalogue_says_so(app):
    from accelerator.accounts.demo import seed_accounts
    from accelerator.training.demo import seed_training

    seed_accounts()
    lines = seed_training()
    assert any("no solution in the catalogue" in line for line in lines)
    assert db.session.query(TrainingSession).count() == 0


def test_seed_demo_adds_sessions_and_enrolments_in_every_state(app):
    make_catalogue_solution(name="Mathador")
    make_catalogue_solution(name="Lalilo")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    statuses = set(db.session.scalars(select(TrainingSession.status)))
    assert statuses == {SessionStatus.scheduled, SessionStatus.cancelled}
    enrolment_states = {
        (status, attended, completed)
        for status, attended, completed in db.session.execute(
            select(Enrollment.status, Enrollment.attended, Enrollment.completed)
        )
    }
    assert {s for s, _, _ in enrolment_states} == set(EnrollmentStatus)
    assert (EnrollmentStatus.registered, True, True) in enrolment_states
    assert (EnrollmentStatus.registered, True, False) in enrolment_states
    counts = db.session.execute(
        select(TrainingSession.registered_count, func.count(Enrollment.id))
        .join(Enrollment, Enrollment.session_id == TrainingSession.id)
        .where(Enrollment.status == EnrollmentStatus.registered)
        .group_by(TrainingSession.id)
    ).all()
    assert all(stored == real for stored, real in counts)
    before = db.session.query(Enrollment).count()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and db.session.query(Enrollment).count() == before


def test_cli_import(app, tmp_path):
    session = make_session(starts_in=timedelta(days=-1))
    trainer = make_user(Role.trainer)
    path = tmp_path / "presences.csv"
    path.write_text(
        "email;nom;prenom;academie;uai;situation;session;present;termine\n"
        f"a@ac-paris.fr;A;B;paris;;;{session.reference};oui;oui\n"
        f"pas-un-email;A;B;paris;;;{session.reference};oui;oui\n",
        encoding="cp1252",
    )
    runner = app.test_cli_runner()
    result = runner.invoke(args=["training", "import-attendance", str(path), "--as", trainer.email])
    assert result.exit_code == 0, result.output
    assert "imported: 1, unchanged: 0, errors: 1" in result.output and "line 3" in result.output
    teacher = make_user(Role.teacher)
    refused = runner.invoke(
        args=["training", "import-attendance", str(path), "--as", teacher.email]
    )
    assert refused.exit_code != 0
