"""The attestation in English is titled in English on the public verification page, as the
PDF is (test_attestation_document); the Open Badge keeps its claims in French whatever the
reader's language, so that every download carries the same signed text."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale

from accelerator.certification import badges
from accelerator.certification import operations as records
from accelerator.extensions import db
from tests.certification.factories import approved_solution, enroll, make_session, teacher_user


def _certificate():
    _, profile = teacher_user()
    session = make_session([approved_solution()], on=date(2026, 3, 10), title="Lalilo en classe")
    certificate = records.issue_certificate(enroll(profile, session))
    db.session.commit()
    return certificate


def test_the_verification_page_is_titled_in_the_readers_language(client):
    certificate = _certificate()
    french = client.get(f"/attestations/{certificate.code}").get_data(as_text=True)
    assert "<h1>Attestation de formation</h1>" in french
    client.get("/langue/en")
    english = client.get(f"/attestations/{certificate.code}").get_data(as_text=True)
    assert "<h1>Certificate of training</h1>" in english
    assert f"<title>Certificate of training {certificate.code}" in english
    assert "Attestation de formation" not in english


def test_the_badges_evidence_stays_french_in_every_language(app):
    certificate = _certificate()
    for language in ("en", "fr"):
        with app.test_request_context(), force_locale(language):
            evidence = badges.credential(certificate)["evidence"][0]
        assert evidence["name"] == "Attestation de formation"
        assert evidence["narrative"] == (
            f"Attestation de formation {certificate.code}, vérifiable en ligne."
        )
