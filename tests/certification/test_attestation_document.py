"""The attestation de formation as a document: its PDF (brand, embedded font, metadata, the
session's reference and place, the signatory) and its accessible HTML page, for its owner
only."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from accelerator.certification import operations as records
from accelerator.certification.exports import certificate_content, render_certificate
from accelerator.extensions import db
from accelerator.training.models import SessionFormat
from tests.certification.factories import approved_solution, enroll, make_session, teacher_user


def _certificate(profile, **session_fields):
    session = make_session(
        [approved_solution(name="Lalilo")],
        on=date(2026, 3, 10),
        title="Lalilo en classe",
        duration_hours=session_fields.pop("duration_hours", 1.5),
        **session_fields,
    )
    certificate = records.issue_certificate(enroll(profile, session))
    db.session.commit()
    return certificate


@pytest.mark.parametrize(
    "session_format, location, place",
    [
        (SessionFormat.in_person, "Atelier Canopé de Poitiers", "Atelier Canopé de Poitiers"),
        (SessionFormat.remote, "", "Session à distance"),
        (SessionFormat.hybrid, "Atelier Canopé de Lyon", "Atelier Canopé de Lyon et à distance"),
    ],
)
def test_the_attestation_names_the_sessions_reference_and_place(
    app, session_format, location, place
):
    _, profile = teacher_user()
    certificate = _certificate(profile, format=session_format, location=location)
    with app.test_request_context(), force_locale("fr"):
        content = certificate_content(certificate)
    facts = dict(content.facts())
    assert facts["Référence de la session"] == certificate.enrollment.session.reference
    assert facts["Lieu"] == place


@pytest.mark.parametrize(
    "language, title, hours", [("fr", "Attestation de formation", "1,5"), ("en", None, "1.5")]
)
def test_title_and_duration_follow_the_readers_language(app, language, title, hours):
    _, profile = teacher_user()
    certificate = _certificate(profile)
    with app.test_request_context(), force_locale(language):
        content = certificate_content(certificate)
    assert content.hours == hours
    if title:
        assert content.title == title
    else:  # the English attestation is not titled in French
        assert content.title != "Attestation de formation"


def test_the_signatory_comes_from_the_configuration(app):
    _, profile = teacher_user()
    certificate = _certificate(profile)
    app.config.update(PDF_SIGNATORY_NAME="Camille Durand", PDF_SIGNATORY_ROLE="Directrice")
    try:
        with app.test_request_context(), force_locale("fr"):
            content = certificate_content(certificate)
            pdf = render_certificate(content)
    finally:
        app.config.update(PDF_SIGNATORY_NAME="", PDF_SIGNATORY_ROLE="")
    assert content.signatory == ("Camille Durand", "Directrice")
    assert content.signed_at.startswith("Fait à ")
    assert b"/FontFile2" in pdf and b"/Helvetica" not in pdf
    assert b"/Lang (fr)" in pdf
    assert certificate.code.encode() in pdf  # in the title of the document's metadata


def test_the_html_version_is_the_owners_only(client, login_as):
    user, profile = teacher_user()
    certificate = _certificate(profile)
    intruder, _ = teacher_user()
    db.session.commit()
    login_as(user)
    trainings = client.get("/mes-formations").get_data(as_text=True)
    assert f"/mes-formations/attestations/{certificate.id}.pdf" in trainings
    assert f'/mes-formations/attestations/{certificate.id}"' in trainings
    page = client.get(f"/mes-formations/attestations/{certificate.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    session = certificate.enrollment.session
    for expected in (session.reference, session.location, certificate.code, "Lalilo en classe"):
        assert expected in text
    client.post("/deconnexion")
    login_as(intruder)
    assert client.get(f"/mes-formations/attestations/{certificate.id}").status_code == 404
    assert client.get(f"/mes-formations/attestations/{certificate.id}.pdf").status_code == 404
