"""Pages every public service owes its visitors: accessibility statement, site map,
personal data, display settings; the footer tells the measured RGAA status."""

from __future__ import annotations

import pytest


def test_the_statement_says_non_compliant_until_an_audit_is_made(client):
    html = client.get("/accessibilite").get_data(as_text=True)
    assert "non conforme" in html and "aucun audit" in html
    assert "partiellement conforme" not in html
    assert "mailto:accessibilite@reseau-canope.fr" in html  # the contact RGAA requires
    assert "Défenseur des droits" in html and "Libre réponse 71120" in html  # the recourse
    footer = client.get("/").get_data(as_text=True).split('id="footer"', 1)[1]
    assert "Accessibilité : non conforme" in footer


def test_the_statement_gives_its_date_the_contact_and_the_recourse_as_links(client):
    """What the RGAA's model statement requires besides the status: when it was prepared,
    how to reach the service (email and post), and the Défenseur des droits' form and
    delegates as links a reader can follow."""
    html = client.get("/accessibilite").get_data(as_text=True).replace("\xa0", " ")
    assert "1 décembre 2026" in html.split('id="statement-date"', 1)[1].split("</p>", 1)[0]
    contact = html.split('id="accessibility-contact"', 1)[1].split("</ul>", 1)[0]
    assert "mailto:accessibilite@reseau-canope.fr" in contact and "Futuroscope" in contact
    remedies = html.split('id="accessibility-remedies"', 1)[1].split("</ul>", 1)[0]
    assert 'href="https://formulaire.defenseurdesdroits.fr/"' in remedies
    assert 'href="https://www.defenseurdesdroits.fr/saisir/delegues"' in remedies
    assert "Libre réponse 71120" in remedies


def test_the_english_statement_says_non_compliant_too(client):
    client.get("/langue/en")
    html = client.get("/accessibilite").get_data(as_text=True)
    status = html.split('id="compliance-status"', 1)[1].split("</p>", 1)[0]
    assert "non-compliant" in status and "no accessibility audit" in status


@pytest.mark.parametrize(
    "rate, audited, level, shown",
    [
        (None, None, "non conforme", None),
        ("87.5", None, "non conforme", None),  # a rate without its audit is no measure
        ("87.5", "2026-10-15", "partiellement conforme", "87,5 %"),
        ("49.9", "2026-10-15", "non conforme", "49,9 %"),
        ("100", "2026-10-15", "totalement conforme", "100 %"),
    ],
)
def test_the_statement_follows_the_measured_rate(app, client, rate, audited, level, shown):
    app.config.update(RGAA_AUDIT_RATE=rate, RGAA_AUDIT_DATE=audited)
    try:
        html = client.get("/accessibilite").get_data(as_text=True)
    finally:
        app.config.update(RGAA_AUDIT_RATE=None, RGAA_AUDIT_DATE=None)
    status = html.split('id="compliance-status"', 1)[1].split("</p>", 1)[0]
    assert level in status
    if shown:  # French figures: a decimal comma, a no-break space before the sign
        plain = html.replace("\u202f", " ").replace("\xa0", " ")
        assert shown in plain and "15 octobre 2026" in plain


def test_footer_links_to_the_site_map_personal_data_and_display_settings(client):
    footer = client.get("/").get_data(as_text=True).split('id="footer"', 1)[1]
    assert 'href="/plan-du-site"' in footer and "Plan du site" in footer
    assert 'href="/donnees-personnelles"' in footer and "Données personnelles" in footer
    assert 'aria-controls="fr-theme-modal"' in footer and "Paramètres d’affichage" in footer
    assert 'id="fr-theme-modal"' in footer  # the DSFR display switch it opens
    assert 'name="fr-radios-theme"' in footer


def test_the_header_names_the_operator(client):
    header = client.get("/").get_data(as_text=True).split("</header>", 1)[0]
    assert "fr-header__operator" in header and 'alt="Réseau Canopé"' in header


@pytest.mark.parametrize("path", ["/plan-du-site", "/donnees-personnelles", "/mentions-legales"])
def test_public_pages_answer_without_an_account(client, path):
    assert client.get(path).status_code == 200


def test_the_site_map_lists_the_menu_and_the_public_pages(client):
    html = client.get("/plan-du-site").get_data(as_text=True)
    for href in ["/catalogue", "/verify", "/accessibilite", "/donnees-personnelles"]:
        assert f'href="{href}"' in html


def test_the_footer_follows_the_language_the_mount_point_and_the_measured_rate(app, client):
    """The footer is rendered once and kept: each language, mount point and accessibility
    level still gets its own."""

    def footer(**options):
        return client.get("/", **options).get_data(as_text=True).split('id="footer"', 1)[1]

    assert "Plan du site" in footer() and 'href="/plan-du-site"' in footer()
    client.get("/langue/en")
    english = footer()
    assert "Site map" in english and "Plan du site" not in english
    client.get("/langue/fr")
    mounted = footer(base_url="http://localhost/prefixe")
    assert 'href="/prefixe/plan-du-site"' in mounted and 'href="/plan-du-site"' not in mounted
    assert 'href="/plan-du-site"' in footer()
    app.config.update(RGAA_AUDIT_RATE=80, RGAA_AUDIT_DATE="2026-10-15")
    try:
        assert "Accessibilité : partiellement conforme" in footer()
    finally:
        app.config.update(RGAA_AUDIT_RATE=None, RGAA_AUDIT_DATE=None)
    assert "Accessibilité : non conforme" in footer()
