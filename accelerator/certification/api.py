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
from accelerator.core.permissions import public, roles_required

#: Public figures may be served from a cache (a CDN) for a few minutes.
PROGRESS_MAX_AGE = 300


@api.post("/training/sessions/<int:session_id>/feedback")
@roles_required(Role.teacher)
def rate_session(session_id: int):
    """Rate a session the teacher attended.
    ---
    post:
      summary: Rate an attended session from 1 to 5, with a comment (once)
      tags: [training]
      responses:
        201: {description: The feedback}
        404: {description: No enrolment of the caller in this session}
        409: {description: Not attended yet, or already rated}
        422: {description: Rating out of 1..5 or comment too long}
    """
    data = load(FeedbackIn(), json_body())
    feedback = operations.rate_session(current_user, session_id, data["rating"], data["comment"])
    return FeedbackOut().dump(feedback), 201


@api.get("/training/certificates/<code>")
@public
def verify_certificate(code: str):
    """Public verification of an attestation de formation.
    ---
    get:
      summary: Say whether a certificate code is genuine (and not revoked)
      tags: [training]
      security: []
      responses:
        200: {description: "{genuine, teacher, session, solutions, issued_at, revoked}"}
        404: {description: Unknown or forged code}
    """
    return VerificationOut().dump(operations.verify_certificate(code))


@api.get("/me/certificates")
@roles_required(Role.teacher)
def my_certificates():
    """The teacher's attestations (issued for every completed training).
    ---
    get:
      summary: The caller's certificates, with links to the PDF and the Open Badge
      tags: [training]
      responses:
        200: {description: "{items, page, per_page, total}"}
    """
    return paginate(
        operations.certificates_visible_to(current_user),
        lambda rows: CertificateOut(many=True).dump(rows),
    )


@api.get("/me/certificates/<int:certificate_id>.pdf")
@roles_required(Role.teacher)
def certificate_pdf(certificate_id: int):
    """The attestation de formation as a PDF.
    ---
    get:
      summary: Download one of the caller's certificates (PDF)
      tags: [training]
      responses:
        200: {description: application/pdf}
        404: {description: Not one of the caller's certificates}
    """
    certificate = operations.own_certificate(current_user, certificate_id)
    return downloads.pdf_response(certificate)


@api.get("/me/badges/<int:certificate_id>.json")
@roles_required(Role.teacher)
def badge_json(certificate_id: int):
    """The Open Badges 3.0 credential of a certificate (JSON).
    ---
    get:
      summary: OpenBadgeCredential (W3C VC 2.0) of one of the caller's certificates
      tags: [training]
      responses:
        200: {description: The credential}
        404: {description: Not one of the caller's certificates}
    """
    certificate = operations.own_certificate(current_user, certificate_id)
    return downloads.badge_json_response(certificate)


@api.get("/me/badges/<int:certificate_id>.jwt")
@roles_required(Role.teacher)
def badge_jwt(certificate_id: int):
    """The same credential, signed (VC-JWT, EdDSA).
    ---
    get:
      summary: Signed OpenBadgeCredential (compact JWS; key at /.well-known/jwks.json)
      tags: [training]
      responses:
        200: {description: application/vc+jwt}
        404: {description: Not one of the caller's certificates}
    """
    certificate = operations.own_certificate(current_user, certificate_id)
    return downloads.badge_jwt_response(certificate)


@api.get("/training/badges/<code>/status")
@public
def badge_status(code: str):
    """Status of an Open Badge (its credentialStatus).
    ---
    get:
      summary: Whether a badge is active, revoked, or its solutions' approval has lapsed
      tags: [training]
      security: []
      responses:
        200: {description: "{id, status, revoked, approval_lapsed, message}"}
        404: {description: Unknown code}
    """
    return BadgeStatusOut().dump(badges.status(operations.verify_certificate(code)))


@api.get("/training/progress")
@public
def training_progress():
    """The counter toward 100,000 trained teachers.
    ---
    get:
      summary: Trained teachers, by académie, month and solution, and the projected date
      tags: [training]
      security: []
      responses:
        200: {description: "{trained_teachers, target, percent, by_academy, by_month,
          by_solution, projected_date}"}
    """
    figures = ProgressOut().dump(progress.cached_summary())
    response = Response(_json(figures), mimetype="application/json")
    response.headers["Cache-Control"] = f"public, max-age={PROGRESS_MAX_AGE}"
    response.add_etag()
    return response.make_conditional(request)


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
