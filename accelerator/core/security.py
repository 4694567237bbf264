"""Security headers, request ids and logging for every response."""

from __future__ import annotations

import logging
import re
import sys
import uuid

from flask import Flask, Response, g, has_request_context, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def configure_logging(app: Flask) -> None:
    """Logs go to stdout, one line each, with the request id that the response echoes."""
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_accelerator", False):
            root.removeHandler(existing)
    handler._accelerator = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))


def no_store(response: Response) -> Response:
    """Forbid every cache (browser, proxy, CDN) to keep ``response``: it holds a secret (a
    token) or what one signed-in person sees."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Pragma"] = "no-cache"  # HTTP/1.0 caches (RFC 6749, section 5.1)
    return response


def _signed_in() -> bool:
    # Flask-Login keeps the user it loaded in g; a response that never looked at the user
    # cannot contain anything about them.
    user = g.get("_login_user")
    return bool(user is not None and user.is_authenticated)


def init_security(app: Flask) -> None:
    @app.before_request
    def assign_request_id() -> None:
        # Keep a load balancer's id when it is sane, so one request is followed end to end.
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("HSTS"):
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        if _signed_in() and not response.cache_control.no_store:
            no_store(response)
        if "request_id" in g:
            headers["X-Request-ID"] = g.request_id
        return response
