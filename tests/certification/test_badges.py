"""Open Badges 3.0: the credential's shape, its signature (verified with the published key),
tampering detected, status marked when the solutions' approval lapses."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

import pytest

from accelerator.certification import badges
from accelerator.certification import operations as records
from accelerator.extensions import db
from tests.audits.factories import make_approved_audit, make_solution
from tests.certification.factories import (
    approved_solution,
    enroll,
    make_session,
    teacher_user,
)
from tests.factories import OrganizationFactory


@pytest.fixture(autouse=True)
def signing_key_file(app, tmp_path):
    """A fresh key per test, outside the instance folder."""
    app.config["BADGE_SIGNING_KEY"] = str(tmp_path / "badge-key.pem")
    yield tmp_path / "badge-key.pem"
    app.config["BADGE_SIGNING_KEY"] = None


def _certificate(profile, solutions=None):
    solutions = solutions or [approved_solution(name="Lalilo")]
    session = make_session(solutions, on=date(2026, 3, 10), title="Lalilo en classe")
    return records.issue_certificate(enroll(profile, session))


def test_the_credential_is_an_open_badge(api):
    user, profile = teacher_user()
    certificate = _certificate(profile)
    db.session.commit()
    response = api.get(f"/me/badges/{certificate.id}.json", user=user)
    assert response.status_code == 200
    vc = json.loads(response.data)
    assert vc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["issuer"]["id"] == "http://localhost/"
    assert vc["issuer"]["name"] == "Réseau Canopé — Accélérateur pédagogique"
    assert vc["validFrom"].endswith("Z")
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    achievement = subject["achievement"]
    assert "Lalilo" in achievement["name"] and "Lalilo en classe" in achievement["name"]
    assert achievement["criteria"]["narrative"]
    [identity] = subject["identifier"]
    expected = hashlib.sha256((profile.email + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == "sha256$" + expected
    assert profile.email not in response.get_data(as_text=True)
    assert vc["evidence"][0]["id"].endswith(f"/attestations/{certificate.code}")
    own_status = [e for e in vc["credentialStatus"] if e["type"] == "AccelerateurBadgeStatus"]
    assert own_status[0]["id"].endswith(f"/training/badges/{certificate.code}/status")


def test_the_signed_credential_verifies_with_the_published_key(api, client):
    user, profile = teacher_user()
    certificate = _certificate(profile)
    db.session.commit()
    token = api.get(f"/me/badges/{certificate.id}.jwt", user=user).get_data(as_text=True)
    [jwk] = client.get("/.well-known/jwks.json").get_json()["keys"]
    header = json.loads(badges.b64url_decode(token.split(".")[0]))
    assert header["alg"] == "EdDSA" and header["kid"] == jwk["kid"]
    payload = badges.verify(token, jwk)
    assert payload == json.loads(api.get(f"/me/badges/{certificate.id}.json", user=user).data)


def test_a_tampered_credential_fails(api, client):
    user, profile = teacher_user()
    certificate = _certificate(profile)
    db.session.commit()
    token = api.get(f"/me/badges/{certificate.id}.jwt", user=user).get_data(as_text=True)
    [jwk] = client.get("/.well-known/jwks.json").get_json()["keys"]
    header, payload, signature = token.split(".")
    claims = json.loads(badges.b64url_decode(payload))
    claims["credentialSubject"]["achievement"]["name"] = "Formation jamais suivie"
    forged = badges.b64url(json.dumps(claims).encode())
    with pytest.raises(ValueError):
        badges.verify(f"{header}.{forged}.{signature}", jwk)
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    with pytest.raises(ValueError):
        badges.verify(f"{header}.{payload}.{flipped}", jwk)


def test_another_key_does_not_verify(api, app, tmp_path):
    user, profile = teacher_user()
    certificate = _certificate(profile)
    db.session.commit()
    token = api.get(f"/me/badges/{certificate.id}.jwt", user=user).get_data(as_text=True)
    app.config["BADGE_SIGNING_KEY"] = str(tmp_path / "another.pem")
    with app.test_request_context():
        other_jwk = badges.public_jwk()
    with pytest.raises(ValueError):
        badges.verify(token, other_jwk)


def test_the_key_is_created_once_and_kept_private(app, signing_key_file):
    with app.test_request_context():
        first = badges.public_jwk()
        app.extensions["badge_keys"].clear()
        assert badges.public_jwk() == first  # read back from the file, not regenerated
    assert signing_key_file.stat().st_mode & 0o077 == 0


def test_badges_are_their_owners_only(api):
    user, profile = teacher_user()
    certificate = _certificate(profile)
    intruder, _ = teacher_user()
    db.session.commit()
    for suffix in ("json", "jwt"):
        assert api.get(f"/me/badges/{certificate.id}.{suffix}", user=intruder).status_code == 404
        assert api.get(f"/me/badges/{certificate.id}.{suffix}").status_code == 401


def test_status_marks_a_lapsed_approval(api):
    _, profile = teacher_user()
    # approved long ago, approval ended yesterday: the training counted, the approval lapsed
    solution = make_solution(OrganizationFactory())
    make_approved_audit(
        solution,
        decided_on=date(2025, 1, 6),
        valid_until=date.today() - timedelta(days=1),
    )
    lapsed = _certificate(profile, [solution])
    active = _certificate(teacher_user()[1])
    db.session.commit()
    body = api.get(f"/training/badges/{lapsed.code}/status").get_json()
    assert body["status"] == "approval_lapsed" and body["approval_lapsed"] is True
    assert body["revoked"] is False
    body = api.get(f"/training/badges/{active.code}/status").get_json()
    assert body["status"] == "active"
    assert api.get("/training/badges/0000-0000-0000-0000/status").status_code == 404


def test_mes_formations_marks_the_lapsed_approval(client, login_as):
    user, profile = teacher_user()
    solution = make_solution(OrganizationFactory(), name="Ancienne solution")
    make_approved_audit(
        solution, decided_on=date(2025, 1, 6), valid_until=date.today() - timedelta(days=1)
    )
    _certificate(profile, [solution])
    db.session.commit()
    login_as(user)
    page = client.get("/mes-formations").get_data(as_text=True)
    assert "Ancienne solution" in page
    assert "fr-badge--warning" in page
    assert "/mes-formations/badges/" in page
