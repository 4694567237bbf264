"""Safe redirects: the one check of every redirect whose target comes from the request.

A target is accepted only when it is a path on this site: it starts with a single ``/``,
names no scheme or host, and holds no backslash, no control character (CR/LF, tab...) and
no encoded form of them. Browsers strip tabs and newlines and read ``\\`` as ``/``, so
``/\\evil.example`` or ``/%09/evil.example`` would otherwise leave the site.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from flask import request

#: how many times a target is percent-decoded while looking for a disguised host
_DECODE_ROUNDS = 3


def _is_local_path(target: str) -> bool:
    candidate = target
    for _ in range(_DECODE_ROUNDS + 1):
        if not candidate.startswith("/") or candidate.startswith("//"):
            return False
        if "\\" in candidate or any(unicodedata.category(c) in ("Cc", "Cf") for c in candidate):
            return False
        # After the slash, a host may hide behind characters browsers drop: "/ /x", "/\t/x".
        if candidate[1:2].isspace() or candidate[1:2] in ("/", "\\"):
            return False
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return False
        decoded = unquote(candidate)
        if decoded == candidate:
            return True
        candidate = decoded
    return False  # encoded more deeply than any honest link


def safe_next(target: str | None, fallback: str) -> str:
    """``target`` when it is a path on this site, else ``fallback``."""
    if target and isinstance(target, str) and len(target) <= 2000 and _is_local_path(target):
        return target
    return fallback


def back(fallback: str) -> str:
    """The page the reader came from (``Referer`` on this host), else ``fallback``."""
    referrer = request.referrer or ""
    parts = urlsplit(referrer)
    if parts.netloc != request.host:
        return fallback
    local = parts.path + (f"?{parts.query}" if parts.query else "")
    return safe_next(local, fallback)
