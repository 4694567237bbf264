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
    BadgeStatusOut,
    CertificateOut,
    FeedbackIn,
    FeedbackOut,
    ProgressOut,
    VerificationOut,
)
from accelerator.core.api import api, json_body, load, paginate
from accelerator.core.openapi import documented
from accelerator.core.permissions import public, roles_required

#: Public figures may be served from a cache (a CDN) for a few minutes.
PROGRESS_MAX_AGE = 300


@api.post("/training/sessions/<int:session_id>/feedback")
@documented(body=FeedbackIn, response=FeedbackOut, status=201, errors=(404, 409, 422))
@roles_required(Role.teacher)
def rate_session(session_id: int):
    """Rate a session the teacher attended.

    Rate an attended session from 1 to 5, with a comment (once)
    """
    data = load(FeedbackIn(), json_body())
    feedback = operations.rate_session(current_user, session_id, data["rating"], data["comment"])
    return FeedbackOut().dump(feedback), 201


@api.get("/training/certificates/<code>")
@documented(response=VerificationOut, errors=(404,))
@public
def verify_certificate(code: str):
    """Public verification of an attestation de formation.

    Say whether a certificate code is genuine (and not revoked)
    """
    return VerificationOut().dump(operations.verify_certificate(code))


@api.get("/me/certificates")
@documented(response=CertificateOut, paginated=True)
@roles_required(Role.teacher)
def my_certificates():
    """The teacher's attestations (issued for every completed training).

    The caller's certificates, with links to the PDF and the Open Badge
    """
    return paginate(
        operations.certificates_visible_to(current_user),
        lambda rows: CertificateOut(many=True).dump(rows),
    )


@api.get("/me/certificates/<int:certificate_id>.pdf")
@documented(errors=(404,))
@roles_required(Role.teacher)
def certificate_pdf(certificate_id: int):
    """The attestation de formation as a PDF.

    Download one of the caller's certificates (PDF)
    """
    certificate = operations.own_certificate(current_user, certificate_id)
    return downloads.pdf_response(certificate)


@api.get("/me/badges/<int:certificate_id>.json")
@documented(errors=(404,))
@roles_required(Role.teacher)
def badge_json(certificate_id: int):
    """The Open Badges 3.0 credential of a certificate (JSON).

    OpenBadgeCredential (W3C VC 2.0) of one of the caller's certificates
    """
    certificate = operations.own_certificate(current_user, certificate_id)
    return downloads.badge_json_response(certificate)


@api.get("/me/badges/<int:certificate_id>.jwt")
@documented(errors=(404,))
@roles_required(Role.teacher)
def badge_jwt(certificate_id: int):
    """The same credential, signed (VC-JWT, EdDSA).

    Signed OpenBadgeCredential (compact JWS; key at /.well-known/jwks.json)
    """
    certificate = operations.own_certificate(current_user, certificate_id)
    return downloads.badge_jwt_response(certificate)


@api.get("/training/badges/<code>/status")
@documented(response=BadgeStatusOut, errors=(404,))
@public
def badge_status(code: str):
    """Status of an Open Badge (its credentialStatus).

    Whether a badge is active, revoked, or its solutions' approval has lapsed
    """
    return BadgeStatusOut().dump(badges.status(operations.verify_certificate(code)))


@api.get("/training/progress")
@documented(response=ProgressOut)
@public
def training_progress():
    """The counter toward 100,000 trained teachers.

    Trained teachers, by académie, month and solution, and the projected date
    """
    figures = ProgressOut().dump(progress.cached_summary())
    response = Response(_json(figures), mimetype="application/json")
    response.headers["Cache-Control"] = f"public, max-age={PROGRESS_MAX_AGE}"
    response.add_etag()
    return response.make_conditional(request)


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
