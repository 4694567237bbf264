"""Verification of an approval by its code, and the badge that links to it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from accelerator.audits.states import AuditStatus
from accelerator.extensions import db
from tests.catalogue.helpers import approve

FR = {"Accept-Language": "fr"}


def test_genuine_in_force(api, client):
    audit = approve("Vraie", company="Vrai Éditeur", valid_until=date(2030, 6, 30))
    body = api.get(f"/verify/{audit.verification_code}").json
    assert body["genuine"] is True and body["in_force"] is True
    assert body["status"] == "approved"
    assert body["solution"] == {"slug": "vraie", "name": "Vraie", "organization": "Vrai Éditeur"}
    assert body["valid_until"] == "2030-06-30"
    assert body["decided_at"].startswith(date.today().isoformat())
    page = client.get(f"/verify/{audit.verification_code}", headers=FR)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Agrément authentique, en vigueur" in html and "30 juin 2030" in html


def test_with_conditions(api):
    audit = approve("Conditionnelle", outcome=AuditStatus.approved_with_conditions)
    body = api.get(f"/verify/{audit.verification_code}").json
    assert (body["in_force"], body["status"]) == (True, "approved_with_conditions")


@pytest.mark.parametrize(
    "status, expected, french",
    [
        (AuditStatus.suspended, "suspended", "Agrément authentique, qui n’est pas en vigueur"),
        (AuditStatus.withdrawn, "withdrawn", "Agrément authentique, qui n’est pas en vigueur"),
    ],
)
def test_genuine_but_not_in_force(api, client, status, expected, french):
    audit = approve("Arretee")
    audit.status = status
    db.session.commit()
    body = api.get(f"/verify/{audit.verification_code}").json
    assert (body["genuine"], body["in_force"], body["status"]) == (True, False, expected)
    html = client.get(f"/verify/{audit.verification_code}", headers=FR).get_data(as_text=True)
    assert french in html


def test_expired(api, client):
    audit = approve("Perimee", valid_until=date.today() + timedelta(days=1))
    audit.valid_until = date.today() - timedelta(days=1)
    db.session.commit()
    body = api.get(f"/verify/{audit.verification_code}").json
    assert (body["genuine"], body["in_force"], body["status"]) == (True, False, "expired")
    html = client.get(f"/verify/{audit.verification_code}", headers=FR).get_data(as_text=True)
    assert "Agrément authentique, expiré" in html


@pytest.mark.parametrize("code", ["0123456789abcdef", "x" * 40, "%27%20OR%201%3D1"])
def test_forged_code(api, client, code):
    approve("Originale")
    response = api.get(f"/verify/{code}")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    page = client.get(f"/verify/{code}", headers=FR)
    assert page.status_code == 404
    assert "Ce code ne correspond à aucun agrément" in page.get_data(as_text=True)


def test_badge(client):
    audit = approve("Badge Bleu", valid_until=date(2030, 1, 15))
    response = client.get("/badges/badge-bleu.svg", headers=FR)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert 'role="img"' in svg and "<title" in svg and "Badge Bleu" in svg
    assert 'fill="#000091"' in svg and 'fill="#ffffff"' in svg
    assert f"/verify/{audit.verification_code}" in svg
    assert "<script" not in svg


def test_badge_escapes_names(client):
    approve("Sûr <script>", slug="sur")
    svg = client.get("/badges/sur.svg").get_data(as_text=True)
    assert "<script>" not in svg and "&lt;script&gt;" in svg


@pytest.mark.parametrize("slug", ["inconnue", "pas-en-vigueur"])
def test_no_badge_without_an_approval_in_force(client, slug):
    audit = approve("Pas En Vigueur")
    audit.status = AuditStatus.suspended
    db.session.commit()
    assert client.get(f"/badges/{slug}.svg").status_code == 404
