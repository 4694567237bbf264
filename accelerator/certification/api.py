"""Certification API: feedback, certificates and their verification, Open Badges, the
progress counter (API.md, "Training": the paths stayed when the code moved)."""

from __future__ import annotations

import json

from flask import Response, request
from flask_login import current_user

from accelerator.accounts.models import Role
from accelerator.certification import badges, operations, progress
from accelerator.certification import exports as downloads
from accelerator.certification.schemas import (
    AttestationVerificationOut,
    BadgeStatusOut,
    CertificateOut,
    FeedbackIn,
    FeedbackOut,
    ProgressOut,
)
from accelerator.core.api import api, json_body, load, paginate
from accelerator.core.openapi import documented
from accelerator.core.permissions import public, roles_required

#: Public figures may be served from a cache (a CDN) for a few minutes.
PROGRESS_MAX_AGE = 300


@api.post("/training/sessions/<int:session_id>/feedback")
@roles_required(Role.teacher)
@documented(body=FeedbackIn, response=FeedbackOut, status=201, errors=(409,))
def rate_session(session_id: int):
    """Rate a session the teacher attended, from 1 to 5 with a comment (once)."""
    data = load(FeedbackIn(), json_body())
    feedback = operations.rate_session(current_user, session_id, data["rating"], data["comment"])
    return FeedbackOut().dump(feedback), 201


@api.get("/training/certificates/<code>")
@public
@documented(response=AttestationVerificationOut)
def verify_certificate(code: str):
    """Whether a certificate code is genuine (and not revoked).

    Anyone holding the code learns the teacher's first name and initial only.
    """
    return AttestationVerificationOut().dump(operations.verify_certificate(code))


@api.get("/me/certificates")
@roles_required(Role.teacher)
@documented(response=CertificateOut, paginated=True)
def my_certificates():
    """The caller's attestations, with links to the PDF and the Open Badge."""
    return paginate(
        operations.certificates_visible_to(current_user),
        lambda rows: CertificateOut(many=True).dump(rows),
    )


@api.get("/me/certificates/<int:certificate_id>.pdf")
@roles_required(Role.teacher)
@documented(response="application/pdf")
def certificate_pdf(certificate_id: int):
    """One of the caller's attestations, as a PDF."""
    certificate = operations.own_certificate(current_user, certificate_id)
    return downloads.pdf_response(certificate)


@api.get("/me/badges/<int:certificate_id>.json")
@roles_required(Role.teacher)
@documented(response="application/vc+ld+json")
def badge_json(certificate_id: int):
    """The Open Badges 3.0 credential (W3C VC 2.0) of one of the caller's attestations."""
    certificate = operations.own_certificate(current_user, certificate_id)
    return downloads.badge_json_response(certificate)


@api.get("/me/badges/<int:certificate_id>.jwt")
@roles_required(Role.teacher)
@documented(response="application/vc+jwt")
def badge_jwt(certificate_id: int):
    """The same credential, signed (compact JWS, EdDSA; key at /.well-known/jwks.json)."""
    certificate = operations.own_certificate(current_user, certificate_id)
    return downloads.badge_jwt_response(certificate)


@api.get("/training/badges/<code>/status")
@public
@documented(response=BadgeStatusOut)
def badge_status(code: str):
    """An Open Badge's status: active, revoked, or its solutions' approval lapsed."""
    return BadgeStatusOut().dump(badges.status(operations.verify_certificate(code)))


@api.get("/training/progress")
@public
@documented(response=ProgressOut, responses={304: "Not modified"})
def training_progress():
    """The counter toward 100,000 trained teachers.

    By académie, month and solution, with the projected date (rules in
    ``certification.progress``).
    """
    figures = ProgressOut().dump(progress.cached_summary())
    response = Response(_json(figures), mimetype="application/json")
    response.headers["Cache-Control"] = f"public, max-age={PROGRESS_MAX_AGE}"
    response.add_etag()
    return response.make_conditional(request)


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
