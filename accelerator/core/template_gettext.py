"""Templates' ``_()``, ``ngettext()`` and friends: the request's translations looked up
once per locale, each call made in one step, a fixed string translated once per language.

Flask-Babel's template callables call ``get_translations()`` for every string, which walks
``g``, the locale (formatted to its identifier), the domain and a cache each time; and
Jinja's i18n wrappers go through three template calls for each ``_()`` (the alias, the
new-style wrapper, the function). A page such as the catalogue translates about fifty
strings. Here:

- the translations are remembered on the request's Babel context beside the locale object
  they were found for: a different locale (``force_locale`` for an email in the addressee's
  language, ``refresh()``) is another object, so it looks them up again;
- ``_`` and ``gettext`` are one function, with the same new-style rules as Jinja's (the
  text marked safe where the template autoescapes, always a ``%`` format, ``num`` and
  ``context`` given to plural and contextual forms);
- a string without variables gives the same text for the same translations, so that text
  is kept per translations object (at most ``_KEPT_PER_LANGUAGE`` strings: templates'
  strings are literals, a few hundred).
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from flask import Flask, g
from flask_babel import get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup

_KEPT_PER_LANGUAGE = 4096
#: translations object -> {(string, autoescape): text}; a reloaded catalogue is a new object
_kept: WeakKeyDictionary = WeakKeyDictionary()


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


def _formatted(text: str, autoescape: bool, variables: dict):
    # Jinja's new-style gettext: always a format string, even without variables; in an
    # autoescaped template the translation is markup (translators' text, trusted as Jinja
    # trusts it) and the variables are escaped by the % of Markup
    return (Markup(text) if autoescape else text) % variables  # noqa: S704


@pass_eval_context
def gettext(eval_ctx, string: str, **variables):
    translations = _translations()
    if variables:
        return _formatted(translations.ugettext(string), eval_ctx.autoescape, variables)
    kept = _kept.get(translations)
    if kept is None:
        kept = _kept.setdefault(translations, {})
    key = (string, eval_ctx.autoescape)
    text = kept.get(key)
    if text is None:
        text = _formatted(translations.ugettext(string), eval_ctx.autoescape, {})
        if len(kept) < _KEPT_PER_LANGUAGE:
            kept[key] = text
    return text


@pass_eval_context
def ngettext(eval_ctx, singular: str, plural: str, num: int, **variables):
    variables.setdefault("num", num)
    text = _translations().ungettext(singular, plural, num)
    return _formatted(text, eval_ctx.autoescape, variables)


@pass_eval_context
def pgettext(eval_ctx, context: str, string: str, **variables):
    variables.setdefault("context", context)
    text = _translations().upgettext(context, string)
    return _formatted(text, eval_ctx.autoescape, variables)


@pass_eval_context
def npgettext(eval_ctx, context: str, singular: str, plural: str, num: int, **variables):
    variables.setdefault("context", context)
    variables.setdefault("num", num)
    text = _translations().unpgettext(context, singular, plural, num)
    return _formatted(text, eval_ctx.autoescape, variables)


def install(app: Flask) -> None:
    """Replace the callables Flask-Babel installed in ``app``'s Jinja environment (``_``
    included: Jinja's alias would resolve ``gettext`` through the context at each call)."""
    app.jinja_env.newstyle_gettext = True  # how {% trans %} blocks call them
    app.jinja_env.globals.update(
        _=gettext, gettext=gettext, ngettext=ngettext, pgettext=pgettext, npgettext=npgettext
    )
