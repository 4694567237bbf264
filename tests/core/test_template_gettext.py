"""Templates translate in the request's language, and in another one inside
``force_locale`` (an email in its addressee's language), back again afterwards: the
translations a template remembers for a request follow the locale in force."""

from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale

PAGE = "{{ _('Search') }} {{ ngettext('%(num)s solution', '%(num)s solutions', 2) }}"


def test_a_template_follows_the_locale_in_force_within_one_request(app):
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert render_template_string(PAGE) == "Rechercher 2 solutions"
        with force_locale("en"):
            assert render_template_string(PAGE) == "Search 2 solutions"
        assert render_template_string(PAGE) == "Rechercher 2 solutions"


def test_each_request_gets_its_own_language(app):
    # the API follows Accept-Language (pages are French first); each request has its own
    # application context, as under a server
    english = app.test_request_context("/api/v1/catalogue", headers={"Accept-Language": "en"})
    with app.app_context(), english:
        assert render_template_string("{{ _('Close') }}") == "Close"
    with app.app_context(), app.test_request_context("/"):
        assert render_template_string("{{ _('Close') }}") == "Fermer"
