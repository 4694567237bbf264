"""Certification API: feedback, certificates and their verification, Open Badges, the
progress counter (API.md, "Training": the paths stayed when the code moved)."""

from __future__ import annotations

import json

from flask import Response, request
from flask_login import current_user

from accelerator.accounts.models import Role
from accelerator.certification import badges, credential_check, operations, progress
from accelerator.certification import exports as downloads
from accelerator.certification.models import PathCertificate
from accelerator.certification.schemas import (
    AttestationVerificationOut,
    BadgeStatusOut,
    CertificateOut,
    CredentialCheckIn,
    CredentialCheckOut,
    FeedbackIn,
    FeedbackOut,
    PathCertificateOut,
    PathProgressOut,
    PathVerificationOut,
    ProgressOut,
)
from accelerator.core.api import api, json_body, load, page_args, paginate
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

    Anyone holding the code learns the teacher's first name and initial only. The code of a
    path certificate answers ``kind: "path"`` with the path and its modules instead of the
    session (``PathVerificationOut``).
    """
    certificate = operations.verify_any_certificate(code)
    if isinstance(certificate, PathCertificate):
        return PathVerificationOut().dump(certificate)
    return AttestationVerificationOut().dump(certificate)


@api.get("/me/certificates")
@roles_required(Role.teacher)
@documented(response=CertificateOut, paginated=True)
def my_certificates():
    """The caller's attestations, with links to the PDF and the Open Badge."""
    return paginate(
        operations.certificates_visible_to(current_user),
        lambda rows: CertificateOut(many=True).dump(rows),
    )


@api.get("/me/paths")
@roles_required(Role.teacher)
@documented(response=PathProgressOut, paginated=True)
def my_paths():
    """The caller's progress along every published training path (modules done / total).

    Paths begun come first; each carries its path certificate once every module is done.
    """
    records = operations.path_records(current_user)
    return paginate_list(records, lambda rows: PathProgressOut(many=True).dump(rows))


@api.get("/me/paths/<int:path_id>")
@roles_required(Role.teacher)
@documented(response=PathProgressOut)
def my_path(path_id: int):
    """The caller's progress along one published path."""
    return PathProgressOut().dump(operations.path_records(current_user, path_id)[0])


@api.get("/me/path-certificates")
@roles_required(Role.teacher)
@documented(response=PathCertificateOut, paginated=True)
def my_path_certificates():
    """The caller's path certificates, with links to the PDF and the Open Badge."""
    return paginate(
        operations.path_certificates_visible_to(current_user),
        lambda rows: PathCertificateOut(many=True).dump(rows),
    )


# --- The caller's own documents: a PDF and the Open Badge (JSON, signed) of each kind ------
# Six routes alike but for the kind of certificate and the file: one view maker, one line
# each (the endpoint names stay those the links and the access matrix use).

_SIGNED = "The same credential, signed (compact JWS, EdDSA; key at /.well-known/jwks.json)."


def _own_file(rule: str, endpoint: str, own, respond, media_type: str, doc: str) -> None:
    """Serve ``respond(own(caller, certificate_id))``: the caller's certificate (NotFound for
    anyone else's) as a file."""

    def view(certificate_id: int):
        return respond(own(current_user, certificate_id))

    view.__name__ = view.__qualname__ = endpoint
    view.__doc__ = doc
    view = roles_required(Role.teacher)(documented(response=media_type)(view))
    api.add_url_rule(rule, endpoint, view, methods=["GET"])


_own_file(
    "/me/certificates/<int:certificate_id>.pdf", "certificate_pdf",
    operations.own_certificate, downloads.pdf_response, "application/pdf",
    "One of the caller's attestations, as a PDF.",
)  # fmt: skip
_own_file(
    "/me/badges/<int:certificate_id>.json", "badge_json",
    operations.own_certificate, downloads.badge_json_response, "application/vc+ld+json",
    "The Open Badges 3.0 credential (W3C VC 2.0) of one of the caller's attestations.",
)  # fmt: skip
_own_file(
    "/me/badges/<int:certificate_id>.jwt", "badge_jwt",
    operations.own_certificate, downloads.badge_jwt_response, "application/vc+jwt", _SIGNED,
)  # fmt: skip
_own_file(
    "/me/path-certificates/<int:certificate_id>.pdf", "path_certificate_pdf",
    operations.own_path_certificate, downloads.pdf_response, "application/pdf",
    "One of the caller's path certificates, as a PDF.",
)  # fmt: skip
_own_file(
    "/me/path-badges/<int:certificate_id>.json", "path_badge_json",
    operations.own_path_certificate, downloads.badge_json_response, "application/vc+ld+json",
    "The Open Badges 3.0 credential of one of the caller's path certificates.",
)  # fmt: skip
_own_file(
    "/me/path-badges/<int:certificate_id>.jwt", "path_badge_jwt",
    operations.own_path_certificate, downloads.badge_jwt_response, "application/vc+jwt",
    _SIGNED,
)  # fmt: skip


@api.get("/training/badges/<code>/status")
@public
@documented(response=BadgeStatusOut)
def badge_status(code: str):
    """An Open Badge's status: active, revoked, or its solutions' approval lapsed.

    Attestations' and path certificates' badges alike.
    """
    return BadgeStatusOut().dump(badges.status(operations.verify_any_certificate(code)))


@api.post("/credentials/verification")
@public
@documented(body=CredentialCheckIn, response=CredentialCheckOut)
def check_credential():
    """Check a credential signed by the service (an approval's, an attestation's, a path
    certificate's): its signature with the key of /.well-known/jwks.json, its validity dates
    and its Bitstring Status List entries. Writes nothing.

    A text that is not a credential, or whose signature fails, is answered 200 with its
    `verdict` (`malformed`, `invalid_signature`): what was found, not an error of the call.
    """
    data = load(CredentialCheckIn(), json_body())
    return CredentialCheckOut().dump(credential_check.check_credential(data["jwt"]))


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


def paginate_list(rows: list, dump) -> dict:
    """One page of rows already in memory (the published paths: a few dozen)."""
    page, per_page = page_args()
    chosen = rows[(page - 1) * per_page : page * per_page]
    return {"items": dump(chosen), "page": page, "per_page": per_page, "total": len(rows)}


def _json(data) -> str:
    # compact: an indented document goes through the pure-Python encoder, ten times slower
    # on the counter's thousands of solutions
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
