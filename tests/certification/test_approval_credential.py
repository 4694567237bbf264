"""The approval as a signed Open Badge: it verifies with the published key and not once a
byte changes; the status lists say when it is suspended or expired; a teacher's
attestation has its bit too; indexes are never shared, even when issued at once."""

from __future__ import annotations

import gzip
import json
import threading
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accelerator.accounts.models import Role
from accelerator.audits.operations import reinstate_approval, suspend_approval
from accelerator.certification import badges, status_list
from accelerator.certification import operations as records
from accelerator.certification.models import Certificate
from accelerator.extensions import db
from tests.catalogue.helpers import approve
from tests.certification.factories import enroll, make_session, teacher_user
from tests.conftest import IS_POSTGRESQL
from tests.factories import make_user

FR = {"Accept-Language": "fr"}


@pytest.fixture(autouse=True)
def signing_key_file(app, tmp_path):
    app.config["BADGE_SIGNING_KEY"] = str(tmp_path / "badge-key.pem")
    yield
    app.config["BADGE_SIGNING_KEY"] = None


def _b64decode(part: str) -> bytes:
    return badges.b64url_decode(part)


def _published_key(client) -> dict:
    [key] = client.get("/.well-known/jwks.json").json["keys"]
    return key


def _signed(client, audit) -> str:
    response = client.get(f"/verify/{audit.verification_code}/credential.jwt")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    return response.get_data(as_text=True)


def _bit_in_published_list(client, entry: dict) -> bool:
    """Read a credential's bit as any verifier would: fetch the list its entry names, check
    the list's signature with the published key, decode the bits by the spec's rules."""
    path = entry["statusListCredential"].removeprefix("http://localhost")
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    claims = badges.verify(response.get_data(as_text=True), _published_key(client))
    assert claims["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = claims["credentialSubject"]
    assert subject["statusPurpose"] == entry["statusPurpose"]
    encoded = subject["encodedList"]
    assert encoded[0] == "u"  # Multibase base64url, no padding
    bits = gzip.decompress(_b64decode(encoded[1:]))
    assert len(bits) * 8 >= 131_072
    index = int(entry["statusListIndex"])
    return bool(bits[index // 8] >> (7 - index % 8) & 1)


def _entries(token: str) -> dict[str, dict]:
    claims = json.loads(_b64decode(token.split(".")[1]))
    entries = claims["credentialStatus"]
    return {e["statusPurpose"]: e for e in entries if e["type"] == "BitstringStatusListEntry"}


def _manager():
    return make_user(Role.manager)


def test_the_approval_credential_is_an_open_badge_with_its_dates(client):
    audit = approve("Lalilo", company="Lalilo SAS", valid_until=date(2028, 6, 30))
    body = client.get(f"/verify/{audit.verification_code}/credential.json")
    assert body.status_code == 200
    vc = json.loads(body.data)
    assert vc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["issuer"]["id"] == "http://localhost/" and vc["issuer"]["type"] == ["Profile"]
    assert vc["validFrom"].startswith(audit.decided_at.date().isoformat())
    assert vc["validUntil"] == "2028-06-30T23:59:59Z"
    subject = vc["credentialSubject"]
    assert subject["id"] == "http://localhost/catalogue/lalilo"
    assert subject["achievement"]["name"] == "Agréée au titre du cadre de confiance"
    assert "Lalilo" in vc["name"]
    purposes = {e["statusPurpose"]: e for e in vc["credentialStatus"]}
    assert set(purposes) == {"revocation", "suspension"}
    for entry in purposes.values():
        assert entry["type"] == "BitstringStatusListEntry"
        assert entry["statusListCredential"].startswith("http://localhost/credentials/status/")


def test_it_verifies_with_the_jwks_key_and_fails_when_one_byte_changes(client):
    audit = approve("Signee")
    token = _signed(client, audit)
    key = _published_key(client)
    header = json.loads(_b64decode(token.split(".")[0]))
    assert (header["alg"], header["kid"]) == ("EdDSA", key["kid"])
    assert badges.verify(token, key)["name"].endswith("Signee")
    header_part, payload_part, signature_part = token.split(".")
    payload = bytearray(_b64decode(payload_part))
    payload[payload.index(b"Signee")] ^= 0x01  # "Signee" → "Rignee"
    forged = f"{header_part}.{badges.b64url(bytes(payload))}.{signature_part}"
    with pytest.raises(ValueError):
        badges.verify(forged, key)
    signature = bytearray(_b64decode(signature_part))
    signature[0] ^= 0x01
    with pytest.raises(ValueError):
        badges.verify(f"{header_part}.{payload_part}.{badges.b64url(bytes(signature))}", key)
    said = client.post("/api/v1/credentials/verification", json={"jwt": forged}, headers=FR)
    assert said.status_code == 200
    assert said.json["verdict"] == "invalid_signature" and said.json["valid"] is False
    assert "La signature ne se vérifie pas" in said.json["findings"][0]
    genuine = client.post("/api/v1/credentials/verification", json={"jwt": token}, headers=FR)
    assert genuine.json["verdict"] == "valid" and genuine.json["revoked"] is False


def test_suspension_sets_the_suspension_bit_and_reinstatement_clears_it(client, api):
    audit = approve("Suspendue")
    token = _signed(client, audit)
    entries = _entries(token)
    assert not _bit_in_published_list(client, entries["suspension"])
    manager = _manager()
    suspend_approval(manager, audit, "Traceurs publicitaires sur les pages des élèves.")
    db.session.commit()
    # the credential downloaded before the suspension reads as suspended now
    assert _bit_in_published_list(client, entries["suspension"])
    assert not _bit_in_published_list(client, entries["revocation"])
    said = client.post("/api/v1/credentials/verification", json={"jwt": token}, headers=FR).json
    assert (said["verdict"], said["suspended"], said["valid"]) == ("suspended", True, False)
    assert "La liste de statut indique que le justificatif est suspendu." in said["findings"]
    verified = api.get(f"/verify/{audit.verification_code}", headers=FR).json
    assert verified["credential"]["verdict"] == "suspended"
    page = client.get(f"/verify/{audit.verification_code}", headers=FR).get_data(as_text=True)
    assert "Justificatif authentique, suspendu." in page
    reinstate_approval(manager, audit)
    db.session.commit()
    assert not _bit_in_published_list(client, entries["suspension"])
    said = client.post("/api/v1/credentials/verification", json={"jwt": token}, headers=FR).json
    assert said["verdict"] == "valid"


def test_expiry_sets_the_revocation_bit_and_the_verification_says_expired(client, api):
    audit = approve("Expiree", valid_until=date.today())
    token = _signed(client, audit)
    entries = _entries(token)
    assert not _bit_in_published_list(client, entries["revocation"])  # its last day
    audit.valid_until = date.today() - timedelta(days=1)  # a day later, as seen from today
    db.session.commit()
    assert _bit_in_published_list(client, entries["revocation"])
    assert not _bit_in_published_list(client, entries["suspension"])
    # the credential downloaded before: its bit now says revoked
    said = client.post("/api/v1/credentials/verification", json={"jwt": token}, headers=FR).json
    assert (said["verdict"], said["revoked"], said["valid"]) == ("revoked", True, False)
    assert "La liste de statut indique que le justificatif est révoqué." in said["findings"]
    # the approval's credential as issued now: past its dates too, and said so
    verified = api.get(f"/verify/{audit.verification_code}", headers=FR).json["credential"]
    assert (verified["verdict"], verified["revoked"], verified["expired"]) == (
        "expired",
        True,
        True,
    )
    assert verified["summary"] == "Justificatif authentique, expiré."


def test_the_status_list_decodes_to_exactly_the_expected_bits(client):
    kept = approve("Gardee")
    suspended = approve("Mise en pause")
    expired = approve("Finie", valid_until=date.today() + timedelta(days=3))
    user, profile = teacher_user()
    withdrawn = records.issue_certificate(enroll(profile, make_session([kept.solution])))
    other_user, other = teacher_user()
    valid = records.issue_certificate(enroll(other, make_session([kept.solution])))
    db.session.commit()
    suspend_approval(_manager(), suspended, "Hébergement hors de l'Union européenne.")
    expired.valid_until = date.today() - timedelta(days=1)
    withdrawn.revoked_at = withdrawn.issued_at
    db.session.commit()
    # the rule, independently: 4 × the row's id + 0 (approval), 1 (attestation)
    expected = {
        "revocation": {4 * expired.id},
        "suspension": {4 * suspended.id, 4 * withdrawn.id + 1},
    }
    for purpose, bits_set in expected.items():
        token = client.get(f"/credentials/status/{purpose}/0").get_data(as_text=True)
        claims = badges.verify(token, _published_key(client))
        bits = gzip.decompress(_b64decode(claims["credentialSubject"]["encodedList"][1:]))
        assert len(bits) == 131_072 // 8
        found = {i for i in range(len(bits) * 8) if bits[i // 8] & (0x80 >> (i % 8))}
        assert found == bits_set, purpose
    assert 4 * valid.id + 1 not in expected["suspension"]


def test_an_attestation_has_a_suspension_bit_that_follows_its_withdrawal(client, api):
    approval = approve("Formee")
    user, profile = teacher_user()
    certificate = records.issue_certificate(enroll(profile, make_session([approval.solution])))
    db.session.commit()
    token = api.get(f"/me/badges/{certificate.id}.jwt", user=user).get_data(as_text=True)
    [entry] = _entries(token).values()
    assert entry["statusPurpose"] == "suspension"
    assert not _bit_in_published_list(client, entry)
    records.revoke_certificate(certificate.enrollment)
    db.session.commit()
    assert _bit_in_published_list(client, entry)
    said = client.post("/api/v1/credentials/verification", json={"jwt": token}, headers=FR).json
    assert said["verdict"] == "suspended"


def test_the_check_page_says_what_was_found_in_french(client):
    audit = approve("Collee")
    token = _signed(client, audit)
    assert client.get("/credentials/check", headers=FR).status_code == 200
    answer = client.post("/credentials/check", data={"jwt": token}, headers=FR)
    answer = answer.get_data(as_text=True)
    assert "Justificatif authentique, valide." in answer
    assert "La signature se vérifie avec la clé du service" in answer
    empty = client.post("/credentials/check", data={"jwt": ""}, headers=FR)
    assert empty.status_code == 422


@pytest.mark.parametrize(
    "body, status",
    [("not json", 400), ({}, 422), ({"jwt": 3}, 422), ({"jwt": "x" * 100_001}, 422)],
)
def test_a_bad_check_request_is_a_problem(client, body, status):
    if isinstance(body, str):
        response = client.post(
            "/api/v1/credentials/verification", data=body, content_type="application/json"
        )
    else:
        response = client.post("/api/v1/credentials/verification", json=body)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"


def test_unknown_lists_and_codes_answer_404(client, api):
    assert client.get("/credentials/status/expiry/0").status_code == 404
    assert client.get("/verify/nothing-here/credential.json").status_code == 404
    assert api.get("/verify/nothing-here/credential").status_code == 404


@given(
    st.sampled_from(sorted(status_list.SLOTS)),
    st.integers(1, 10**7),
    st.sampled_from(sorted(status_list.SLOTS)),
    st.integers(1, 10**7),
)
def test_two_rows_never_share_an_index(kind_a, id_a, kind_b, id_b):
    def index(kind, row_id):
        return status_list.STRIDE * row_id + status_list.SLOTS[kind]

    if (kind_a, id_a) != (kind_b, id_b):
        assert index(kind_a, id_a) != index(kind_b, id_b)
    number, _ = divmod(index(kind_a, id_a), status_list.LIST_SIZE)
    low, high = status_list._ids_in(number, status_list.SLOTS[kind_a])
    assert low <= id_a <= high  # the list that holds the bit reads that row


@pytest.mark.skipif(not IS_POSTGRESQL, reason="needs PostgreSQL's concurrency")
def test_credentials_issued_at_the_same_instant_never_share_an_index(app):
    approval = approve("Simultanee")
    enrollments = []
    for _ in range(8):
        _, profile = teacher_user()
        enrollments.append(enroll(profile, make_session([approval.solution])).id)
    db.session.commit()
    start = threading.Barrier(len(enrollments) + 4)
    indexes: list[int] = []
    lock = threading.Lock()

    def attest(enrollment_id: int) -> None:
        with app.app_context():
            from accelerator.training.models import Enrollment

            enrollment = db.session.get(Enrollment, enrollment_id)
            start.wait()
            certificate = records.issue_certificate(enrollment)
            db.session.commit()
            with lock:
                indexes.append(status_list.status_index(certificate))

    def approve_one(number: int) -> None:
        with app.app_context():
            start.wait()
            audit = approve(f"Parallele {number}")
            with lock:
                indexes.append(status_list.status_index(audit))

    threads = [threading.Thread(target=attest, args=(e,)) for e in enrollments]
    threads += [threading.Thread(target=approve_one, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(indexes) == len(threads)
    assert len(set(indexes)) == len(indexes)
    assert db.session.query(Certificate).count() == len(enrollments)
