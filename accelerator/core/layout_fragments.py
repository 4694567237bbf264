"""``layout_end()``: the layout's footer, display settings and scripts, rendered once per
language and mount point instead of on every page.

That part of ``base.html`` (``_layout_end.html``) reads nothing of the visitor or the
request but the locale (its words), ``request.script_root`` (its links) and the
accessibility level named in the footer (configuration); about twenty translations and
fifteen URLs a page, in every page of the site. Those three are the key, so a change of
any of them renders it again. Same HTML as when it sat in ``base.html``.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, has_request_context, render_template, request
from flask_babel import get_locale
from markupsafe import Markup

from accelerator.core.accessibility import compliance

TEMPLATE = "_layout_end.html"


def _render() -> Markup:
    # an autoescaped template's output: every value in it is escaped already
    return Markup(render_template(TEMPLATE))  # noqa: S704


def install(app: Flask) -> None:
    @lru_cache(maxsize=64)
    def rendered(locale: str, script_root: str, accessibility: str) -> Markup:
        return _render()

    def layout_end() -> Markup:
        # outside a request there is no mount point; while templates reload (development)
        # an edited footer shows at once
        if not has_request_context() or app.jinja_env.auto_reload:
            return _render()
        return rendered(str(get_locale()), request.script_root, str(compliance().label))

    app.jinja_env.globals["layout_end"] = layout_end
