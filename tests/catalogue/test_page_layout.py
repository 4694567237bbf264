"""The catalogue page for keyboard users, small screens and the dark theme."""

from __future__ import annotations

from tests.catalogue.helpers import approve


def test_a_link_skips_the_filters_to_the_results(client):
    approve("Lien", domain_scores={"RGPD": 90.0, "PEDA": 80.0})
    html = client.get("/catalogue").get_data(as_text=True)
    skip = html.index('href="#results"')
    assert skip < html.index('name="subject"')  # before every filter control
    assert 'id="results" tabindex="-1"' in html


def test_per_domain_minimums_are_folded_unless_one_is_chosen(client):
    approve("Pliee", domain_scores={"RGPD": 90.0, "PEDA": 80.0})
    html = client.get("/catalogue").get_data(as_text=True)
    assert 'aria-expanded="false" aria-controls="accordion-domain-minimums"' in html
    chosen = client.get("/catalogue", query_string={"min_RGPD": "50"}).get_data(as_text=True)
    assert 'aria-expanded="true" aria-controls="accordion-domain-minimums"' in chosen


def test_the_domain_chart_takes_the_theme_colours(client):
    approve("Sombre", domain_scores={"RGPD": 90.0, "PEDA": 80.0})
    html = client.get("/catalogue/sombre").get_data(as_text=True)
    chart = html.split('<svg class="app-chart"', 1)[1].split("</svg>", 1)[0]
    assert "#" not in chart.replace('href="#', "")  # no fixed colour: readable in dark mode
    assert 'fill="currentColor"' in chart


def test_links_follow_the_mount_point_of_each_request(client):
    """Static files' URLs are built once per process and cards' links without the URL map:
    a site mounted under a prefix still gets that prefix, and the next request at the root
    does not inherit it."""
    approve("Montee", domain_scores={"RGPD": 90.0, "PEDA": 80.0})
    mounted = client.get("/catalogue", base_url="http://localhost/prefixe")
    html = mounted.get_data(as_text=True)
    assert 'href="/prefixe/static/css/app.css' in html
    assert 'href="/prefixe/catalogue/montee"' in html
    root = client.get("/catalogue?q=montee").get_data(as_text=True)
    assert 'href="/static/css/app.css' in root
    assert 'href="/catalogue/montee"' in root
    assert "/prefixe/" not in root


def test_a_kept_answer_is_not_served_under_another_mount_point(client):
    """Whole answers are kept by search (caches on): the same search under two prefixes
    gets links with its own prefix each time, never the other one's."""
    approve("Deux Montages", domain_scores={"RGPD": 90.0, "PEDA": 80.0})
    mounted = client.get("/catalogue?q=montages", base_url="http://localhost/prefixe")
    root = client.get("/catalogue?q=montages")
    again = client.get("/catalogue?q=montages", base_url="http://localhost/prefixe")
    assert 'href="/prefixe/catalogue/deux-montages"' in mounted.get_data(as_text=True)
    assert 'href="/catalogue/deux-montages"' in root.get_data(as_text=True)
    assert "/prefixe/" not in root.get_data(as_text=True)
    assert again.data == mounted.data
    assert root.headers["ETag"] != mounted.headers["ETag"]
