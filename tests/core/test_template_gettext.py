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


def test_jinja_s_new_style_rules_hold(app):
    """Variables are escaped where the template autoescapes, not where it does not (text
    emails); every string is a % format; plural and contextual forms get num and context."""
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        html = render_template_string("{{ _('Remove %(filter)s', filter='<b>') }}")
        assert html == "Retirer &lt;b&gt;"
        text = render_template_string(
            "{% autoescape false %}{{ _('Remove %(filter)s', filter='<b>') }}{% endautoescape %}"
        )
        assert text == "Retirer <b>"
        assert render_template_string("{{ _('100 %%') }}|{{ _('100 %%') }}") == "100 %|100 %"
        assert render_template_string("{{ pgettext('menu', 'at %(context)s') }}") == "at menu"
        assert (
            render_template_string("{{ npgettext('c', '%(num)s %(context)s', 'n', 1) }}") == "1 c"
        )
        block = (
            "{% trans count=3 %}{{ count }} solution{% pluralize %}{{ count }} solutions"
            "{% endtrans %}"
        )
        assert render_template_string(block) == "3 solutions"


def test_a_kept_translation_is_its_own_in_each_autoescape_mode(app):
    # the same string kept for HTML and for text: '&' stays '&' in both, and the HTML one
    # is markup (not escaped again when inserted)
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        page = "{{ _('Search') }} & {{ _('R&D') }}"
        assert render_template_string(page) == "Rechercher & R&D"
        assert render_template_string("{% autoescape false %}" + page + "{% endautoescape %}") == (
            "Rechercher & R&D"
        )
        joined = "{{ '<' ~ _('R&D') }}"
        assert render_template_string(joined) == "&lt;R&D"
        text = "{% autoescape false %}" + joined + "{% endautoescape %}"
        assert render_template_string(text) == "<R&D"
