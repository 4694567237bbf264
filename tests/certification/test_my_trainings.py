"""The teacher's "Mes formations" page."""

from __future__ import annotations

from datetime import date, timedelta

from accelerator.accounts.models import Role
from accelerator.certification.models import Certificate
from accelerator.certification.operations import issue_certificate
from accelerator.extensions import db
from accelerator.training.models import EnrollmentStatus
from tests.certification.factories import (
    enroll,
    make_session,
    statements_written,
    teacher_user,
)
from tests.factories import make_user


def test_coming_and_past_sessions_with_their_links(client, login_as):
    user, profile = teacher_user()
    coming = make_session(on=date.today() + timedelta(days=20), title="Session à venir")
    waitlisted = make_session(on=date.today() + timedelta(days=30), title="Liste d'attente")
    done = make_session(on=date(2026, 3, 10), title="Session suivie")
    missed = make_session(on=date(2026, 2, 10), title="Session manquée")
    cancelled = make_session(on=date(2026, 2, 11), title="Inscription annulée")
    enroll(profile, coming, attended=False, completed=False)
    enroll(profile, waitlisted, attended=False, completed=False, status=EnrollmentStatus.waitlisted)
    issue_certificate(enroll(profile, done))
    enroll(profile, missed, attended=False, completed=False)
    enroll(profile, cancelled, attended=False, completed=False, status=EnrollmentStatus.cancelled)
    someone_else = make_session(title="Session d'un collègue")
    enroll(teacher_user()[1], someone_else)
    db.session.commit()

    login_as(user)
    response = client.get("/mes-formations")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.index("Session à venir") < page.index("Session suivie")  # coming first
    assert "Liste d'attente" in page or "Liste d&#39;attente" in page
    assert "Session manquée" in page
    assert "Inscription annulée" not in page
    assert "Session d'un collègue" not in page and "Session d&#39;un collègue" not in page
    # the completed session's attestation is linked
    certificate = db.session.scalar(db.select(Certificate))
    assert f"/mes-formations/attestations/{certificate.id}.pdf" in page
    assert f"rate-{done.id}-rating" in page
    assert f"rate-{missed.id}-rating" not in page
    assert f"rate-{coming.id}-rating" not in page
    assert "style=" not in page

    pdf = client.get(f"/mes-formations/attestations/{certificate.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_reading_my_trainings_writes_nothing(client, login_as):
    """A GET never writes: a completed enrolment without its attestation (as the data stood
    before attendance issued them) is not given one because its teacher looks."""
    user, profile = teacher_user()
    enroll(profile, make_session(on=date(2026, 3, 10), title="Session suivie"))
    db.session.commit()
    login_as(user)
    with statements_written() as written:
        response = client.get("/mes-formations")
    assert response.status_code == 200
    assert "Session suivie" in response.get_data(as_text=True)
    assert written == []
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0


def test_only_teachers_reach_the_page(client, login_as):
    assert client.get("/mes-formations").status_code == 302  # to the login page
    login_as(make_user(Role.company))
    assert client.get("/mes-formations").status_code == 403


def test_someone_elses_attestation_is_not_found(client, login_as):
    _, owner = teacher_user()
    enrollment = enroll(owner, make_session())
    certificate = issue_certificate(enrollment)
    intruder, _ = teacher_user()
    db.session.commit()
    login_as(intruder)
    assert client.get(f"/mes-formations/attestations/{certificate.id}.pdf").status_code == 404
    assert client.get(f"/mes-formations/badges/{certificate.id}.json").status_code == 404


def test_navigation_entries(client, login_as):
    assert "/progression" in client.get("/").get_data(as_text=True)
    assert "/mes-formations" not in client.get("/").get_data(as_text=True)
    user, _ = teacher_user()
    login_as(user)
    assert "/mes-formations" in client.get("/").get_data(as_text=True)
