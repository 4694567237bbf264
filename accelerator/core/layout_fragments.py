"""Parts of the layout rendered once per language and mount point (and what else they
show) instead of on every page.

- ``layout_end()``: the footer, display settings and scripts (``_layout_end.html``). It
  reads nothing of the visitor or the request but the locale (its words),
  ``request.script_root`` (its links) and the accessibility level named in the footer
  (configuration); about twenty translations and fifteen URLs a page.
- ``{% call kept("name", value, ...) %}...{% endcall %}``: the block's HTML kept under its
  name, the locale, the mount point and the values given, which must be everything the
  block reads besides translations, ``url_for`` and ``static_url`` (the layout's head, the
  skip links, the banner and the visitor's sign-in links take no value; the menu takes its
  entries). Its body runs only when that key is new; ``keep=False`` renders it without
  keeping it (values a visitor typed, which would fill the store).

Same HTML as when rendered each time; while templates reload (development) nothing is kept,
so an edited template shows at once.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from flask import Flask, has_request_context, render_template, request
from flask_babel import get_locale
from markupsafe import Markup

from accelerator.core.accessibility import compliance

TEMPLATE = "_layout_end.html"
#: blocks kept by ``kept`` per application, the oldest dropped beyond (menus differ by role
#: and current entry: a few dozen in all)
KEPT_FRAGMENTS = 512


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

    fragments: dict[tuple, Markup] = app.extensions.setdefault("layout_fragments", {})
    lock = threading.Lock()

    def kept(name: str, *values, caller, keep: bool = True) -> Markup:
        # keep=False: values a visitor chose freely, rendered without filling the store
        if not keep or not has_request_context() or app.jinja_env.auto_reload:
            return caller()
        key = (name, str(get_locale()), request.script_root, values)
        html = fragments.get(key)
        if html is None:
            html = caller()  # outside the lock: two threads may both render one block
            with lock:
                fragments[key] = html
                while len(fragments) > KEPT_FRAGMENTS:
                    del fragments[next(iter(fragments))]
        return html

    app.jinja_env.globals["layout_end"] = layout_end
    app.jinja_env.globals["kept"] = kept
