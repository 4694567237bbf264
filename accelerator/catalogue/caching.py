"""HTTP caching of the public catalogue: ETag, Cache-Control, 304 (werkzeug's helpers).

Anonymous readers get ``public, max-age=60`` so a CDN may serve them; a signed-in reader's
page carries their name in the header, and an anonymous visitor's page may carry a flash
message meant for them alone, so those answers are ``private, no-store`` and never kept for
others.
"""

from __future__ import annotations

import hashlib

from flask import Response, current_app, request, session
from flask.globals import request_ctx
from flask_babel import get_locale
from flask_login import current_user

from accelerator.extensions import cache

MAX_AGE = 60
#: how long a worker keeps a whole answer (its key changes with the catalogue anyway)
ANSWER_TTL = 300


def is_personal() -> bool:
    """Whether this answer is meant for this visitor only: they are signed in, or a flash
    message waits for them (it is shown on the next page they open)."""
    if current_user and current_user.is_authenticated:
        return True
    # Before rendering the flashes are in the session; rendering moves them to the request.
    return "_flashes" in session or bool(getattr(request_ctx, "flashes", None))


_personal = is_personal


def _cache_headers(response: Response, personal: bool) -> None:
    if personal:
        response.cache_control.private = True
        response.cache_control.no_store = True
    else:
        response.cache_control.public = True
        response.cache_control.max_age = MAX_AGE
    # Pages take their language from the session cookie (French first); the API from
    # Accept-Language.
    response.vary.add("Accept-Language" if request.path.startswith("/api/") else "Cookie")


def state_etag(state: str, personal: bool | None = None) -> str:
    """An ETag from the catalogue's fingerprint, the URL (its mount point too: the links
    carry it), the language and the reader."""
    personal = _personal() if personal is None else personal
    reader = current_user.get_id() if personal else "-"
    raw = f"{state}|{request.script_root}{request.full_path}|{get_locale()}|{reader}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def not_modified(etag: str, personal: bool | None = None) -> Response | None:
    """A 304 when the client already holds ``etag`` (checked before any work), else None."""
    personal = _personal() if personal is None else personal
    response = current_app.response_class()
    response.set_etag(etag)
    _cache_headers(response, personal)
    response.make_conditional(request)
    return response if response.status_code == 304 else None


def cacheable(
    response: Response, etag: str | None = None, personal: bool | None = None
) -> Response:
    """Add the ETag (``etag``, or a hash of the body) and Cache-Control; answer 304 when
    the client's If-None-Match matches."""
    personal = _personal() if personal is None else personal
    if etag is None:
        response.add_etag()
    else:
        response.set_etag(etag)
    _cache_headers(response, personal)
    return response.make_conditional(request)


# Whole answers of the listing, shared by the workers (Flask-Caching: Redis when configured).
# The key is the ETag, which already names the catalogue's state, the URL with its mount
# point, the language and the reader, so a change to the catalogue makes old answers
# unreachable; only anonymous answers are kept.


def _answers_kept(personal: bool) -> bool:
    # CATALOGUE_CACHE_SIZE=0 turns every catalogue cache off (the benchmark's cold case).
    return not personal and current_app.config.get("CATALOGUE_CACHE_SIZE", 512) != 0


def cached_answer(etag: str, personal: bool) -> Response | None:
    """The answer kept under ``etag``, with its caching headers, or None."""
    if not _answers_kept(personal):
        return None
    kept = cache.get(f"catalogue:{etag}")
    if kept is None:
        return None
    body, mimetype = kept
    return cacheable(current_app.response_class(body, mimetype=mimetype), etag, personal)


def keep_answer(etag: str, personal: bool, response: Response) -> None:
    if _answers_kept(personal) and response.status_code == 200:
        cache.set(f"catalogue:{etag}", (response.get_data(), response.mimetype), timeout=ANSWER_TTL)
