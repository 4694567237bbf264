"""RFC 9457 problem details: every error of the API answers ``application/problem+json``."""

from __future__ import annotations

from flask import Response, json, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

PROBLEM_MIMETYPE = "application/problem+json"


def problem(
    status: int,
    title: str | None = None,
    detail: str | None = None,
    errors: dict | None = None,
    headers: dict | None = None,
    **extra,
) -> Response:
    """A problem+json response; ``title`` defaults to the HTTP status phrase."""
    from http import HTTPStatus

    body = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def is_api_request() -> bool:
    return request.path.startswith("/api/")


#: Details for HTTP errors, in the reader's language.
_HTTP_DETAILS = {
    400: "The request is malformed.",
    401: "Authentication is required: send a valid token as 'Authorization: Bearer <token>'.",
    403: "You are not allowed to do this.",
    404: "Nothing here, or not visible to you.",
    405: "This method is not allowed on this resource.",
    413: "The file or request body is too large.",
    415: "This file type is not accepted.",
    429: "Too many requests; try again later.",
}


def http_problem(error: HTTPException) -> Response:
    status = error.code or 500
    detail = getattr(error, "description", None)
    # Our own words, unless a view gave a specific description (the limiter's is a rate).
    if status in _HTTP_DETAILS and (
        status == 429 or not detail or detail == type(error).description
    ):
        detail = gettext(_HTTP_DETAILS[status])
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem(status, detail=str(detail) if detail else None, headers=headers)


def translate_errors(errors):
    """Translate marshmallow's (English) messages, which are message ids of our catalogue."""
    if isinstance(errors, dict):
        return {key: translate_errors(value) for key, value in errors.items()}
    if isinstance(errors, list | tuple):
        return [translate_errors(value) for value in errors]
    return gettext(str(errors))
