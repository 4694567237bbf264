"""The files a teacher downloads (attestation PDF, Open Badge), for the pages and the API."""

from __future__ import annotations

import json

from flask import Response, url_for

from accelerator.training import badges
from accelerator.training.certificates import render_certificate
from accelerator.training.models import Certificate


def _attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def pdf_response(certificate: Certificate) -> Response:
    url = url_for("training_records.verify_page", code=certificate.code, _external=True)
    response = Response(render_certificate(certificate, url), mimetype="application/pdf")
    return _attachment(response, f"attestation-{certificate.code}.pdf")


def badge_json_response(certificate: Certificate) -> Response:
    body = json.dumps(badges.credential(certificate), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/vc+ld+json")
    return _attachment(response, f"badge-{certificate.code}.json")


def badge_jwt_response(certificate: Certificate) -> Response:
    response = Response(badges.signed_credential(certificate), mimetype="application/vc+jwt")
    return _attachment(response, f"badge-{certificate.code}.jwt")
