"""Absolute URLs of the service for emails, PDFs, QR codes and badges.

They are built from ``PUBLIC_BASE_URL``, never from the request's Host header (which a
client chooses), and work outside a request (the worker, the CLI).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` on ``PUBLIC_BASE_URL`` (its scheme, host and path
    prefix), with ``values`` as for ``url_for``."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https"
    )
    anchor = values.pop("_anchor", None)
    current_app.inject_url_defaults(endpoint, values)
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url
