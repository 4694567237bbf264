"""Attestations de formation: issued once for completed trainings, verifiable by their code,
downloadable by their owner only; a forged code does not verify."""

from __future__ import annotations

from datetime import date

import pytest

from accelerator.certification import operations as records
from accelerator.certification.models import Certificate
from accelerator.core.db import utcnow
from accelerator.core.errors import Conflict
from accelerator.extensions import db
from tests.certification.factories import (
    approved_solution,
    enroll,
    make_session,
    statements_written,
    teacher,
    teacher_user,
)


def _completed(profile=None):
    profile = profile or teacher(first_name="Camille", last_name="Martin")
    solution = approved_solution(name="Lalilo")
    session = make_session([solution], on=date(2026, 3, 10), title="Lalilo en classe")
    return enroll(profile, session)


def test_a_code_carries_eighty_random_bits_in_every_position():
    """Each of a code's 16 characters is 5 random bits in Crockford's base 32: over 2,000
    codes, every position (the first and the last too) takes each of the 32 characters,
    and the code is in the form people type back (dashes every 4)."""
    codes = [records.new_code() for _ in range(2000)]
    assert len(set(codes)) == 2000
    assert all(records.normalize_code(code) == code for code in codes)
    plain = [code.replace("-", "") for code in codes]
    for position in range(records.CODE_LENGTH):
        assert {code[position] for code in plain} == set(records.CODE_ALPHABET)


def test_issue_certificate_is_idempotent():
    enrollment = _completed()
    first = records.issue_certificate(enrollment)
    second = records.issue_certificate(enrollment)
    assert first.id == second.id
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 1
    assert records.normalize_code(first.code) == first.code


def test_no_certificate_before_completion():
    enrollment = enroll(teacher(), make_session(), attended=True, completed=False)
    with pytest.raises(Conflict):
        records.issue_certificate(enrollment)


def test_revoked_then_completed_again_is_reinstated():
    enrollment = _completed()
    certificate = records.issue_certificate(enrollment)
    records.revoke_certificate(enrollment)
    assert certificate.revoked_at is not None
    assert records.issue_certificate(enrollment).revoked_at is None


def test_public_verification_minimises_personal_data(api):
    certificate = records.issue_certificate(_completed())
    db.session.commit()
    response = api.get(f"/training/certificates/{certificate.code}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["genuine"] is True
    assert body["revoked"] is False
    assert body["teacher"] == "Camille M."
    assert body["session"]["title"] == "Lalilo en classe"
    assert [s["name"] for s in body["solutions"]] == ["Lalilo"]
    assert "email" not in response.get_data(as_text=True)


def test_codes_are_read_leniently(api):
    certificate = records.issue_certificate(_completed())
    db.session.commit()
    typed = certificate.code.replace("-", " ").lower()
    assert api.get(f"/training/certificates/{typed}").status_code == 200


@pytest.mark.parametrize(
    "forge",
    [
        lambda code: code[:-1] + ("A" if code[-1] != "A" else "B"),  # one character changed
        lambda code: "0000-0000-0000-0000",
        lambda code: code + "X",
        lambda code: "not-a-code",
    ],
)
def test_a_forged_code_does_not_verify(api, client, forge):
    certificate = records.issue_certificate(_completed())
    db.session.commit()
    forged = forge(certificate.code)
    response = api.get(f"/training/certificates/{forged}")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    page = client.get(f"/attestations/{forged}")
    assert page.status_code == 404
    assert "Camille" not in page.get_data(as_text=True)


def test_a_revoked_certificate_says_so(api, client):
    enrollment = _completed()
    certificate = records.issue_certificate(enrollment)
    certificate.revoked_at = utcnow()
    db.session.commit()
    body = api.get(f"/training/certificates/{certificate.code}").get_json()
    assert body["revoked"] is True
    page = client.get(f"/attestations/{certificate.code}").get_data(as_text=True)
    assert "fr-alert--error" in page
    assert "fr-alert--success" not in page


def test_verification_page(client):
    certificate = records.issue_certificate(_completed())
    db.session.commit()
    page = client.get(f"/attestations/{certificate.code}").get_data(as_text=True)
    assert "Camille M." in page
    assert "Martin" not in page
    assert "Lalilo en classe" in page
    response = client.get("/attestations", query_string={"code": certificate.code})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/attestations/{certificate.code}")


def test_my_certificates_lists_the_attestations_issued(api):
    user, profile = teacher_user()
    records.issue_certificate(_completed(profile))
    enroll(profile, make_session(), attended=True, completed=False)  # not completed: none
    db.session.commit()
    response = api.get("/me/certificates", user=user)
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 1
    [item] = body["items"]
    assert item["session"]["title"] == "Lalilo en classe"
    assert item["pdf_url"].endswith(f"/api/v1/me/certificates/{item['id']}.pdf")


def test_reading_my_certificates_writes_nothing(api):
    """A GET never writes: a completed enrolment without its attestation (as the data stood
    before attendance issued them) is not given one because its teacher looks."""
    user, profile = teacher_user()
    _completed(profile)
    db.session.commit()
    headers = api.headers_for(user)  # the token is made before the statements are watched
    with statements_written() as written:
        response = api.get("/me/certificates", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["total"] == 0
    assert written == []
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0


def test_the_pdf_carries_the_code_and_is_the_owners_only(api):
    user, profile = teacher_user()
    certificate = records.issue_certificate(_completed(profile))
    intruder, _ = teacher_user()
    db.session.commit()
    response = api.get(f"/me/certificates/{certificate.id}.pdf", user=user)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert certificate.code in response.headers["Content-Disposition"]
    assert api.get(f"/me/certificates/{certificate.id}.pdf", user=intruder).status_code == 404
    assert api.get("/me/certificates/999999.pdf", user=user).status_code == 404


def test_pdf_content_names_the_teacher_and_code(app):
    from accelerator.certification.exports import certificate_content, render_certificate

    certificate = records.issue_certificate(_completed())
    with app.test_request_context():
        pdf = render_certificate(certificate_content(certificate))
    # reportlab compresses page streams; the document info (title) stays readable
    assert pdf.startswith(b"%PDF")
    assert certificate.code.encode() in pdf
    assert len(pdf) > 2000
