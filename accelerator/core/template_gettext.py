"""Templates' ``_()``, ``ngettext()`` and friends with the request's translations looked up
once per locale, not once per string.

Flask-Babel's template callables call ``get_translations()`` for every string, which walks
``g``, the locale (formatted to its identifier), the domain and a cache each time; a page
such as the catalogue calls them about seventy times. Here the translations are remembered
on the request's Babel context beside the locale object they were found for: a different
locale (``force_locale`` for an email in the addressee's language, ``refresh()``) is another
object, so it looks them up again. Same strings, same translations.
"""

from __future__ import annotations

from flask import Flask, g
from flask_babel import get_translations


def _translations():
    ctx = g.get("_flask_babel")
    if ctx is not None:
        remembered = getattr(ctx, "template_translations", None)
        locale = getattr(ctx, "babel_locale", None)
        if remembered is not None and locale is not None and remembered[0] is locale:
            return remembered[1]
    translations = get_translations()
    ctx = g.get("_flask_babel")
    if ctx is not None and getattr(ctx, "babel_locale", None) is not None:
        ctx.template_translations = (ctx.babel_locale, translations)
    return translations


def install(app: Flask) -> None:
    """Replace the callables Flask-Babel installed in ``app``'s Jinja environment."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
