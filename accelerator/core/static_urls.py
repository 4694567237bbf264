"""``static_url(filename)``: a static file's URL built once per process, not once per page.

The layout asks for about fifteen static URLs on every page; each ``url_for('static', ...)``
goes through the URL map's builder although the answer only depends on the file's name and
the application's mount point (``request.script_root``). Both are the key here, so a site
mounted under a prefix still gets its own URLs. Same URLs as ``url_for``.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, has_request_context, request, url_for


def install(app: Flask) -> None:
    @lru_cache(maxsize=512)
    def built(script_root: str, filename: str) -> str:
        return url_for("static", filename=filename)

    def static_url(filename: str) -> str:
        if not has_request_context():  # an email or a job: no mount point to key on
            return url_for("static", filename=filename)
        return built(request.script_root, filename)

    app.jinja_env.globals["static_url"] = static_url
