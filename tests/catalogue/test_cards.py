"""The search page's result cards (the ``card`` macro): what a teacher reads on each."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import get_template_attribute
from markupsafe import Markup

from accelerator.audits.states import AuditStatus
from accelerator.catalogue import cards, queries, views
from accelerator.catalogue.models import CatalogueEntry
from accelerator.extensions import db
from tests.catalogue.helpers import approve


def _cards(client, **kwargs) -> dict[str, str]:
    page = client.get("/catalogue", **kwargs).get_data(as_text=True)
    results = page.split('id="results"', 1)[1]
    chunks = results.split('<div class="fr-card fr-enlarge-link">')[1:]
    return {chunk.split("</a></h3>", 1)[0].rsplit(">", 1)[1]: chunk for chunk in chunks}


def test_each_card_says_the_approval_the_scores_and_the_teachers_rating(client):
    valid = date.today() + timedelta(days=100)
    approve("Sans Avis", domain_scores={"RGPD": 90.4, "PEDA": 80.6}, overall=85.4)
    approve("Un Avis", outcome=AuditStatus.approved_with_conditions, valid_until=valid)
    approve("Trois <Avis> & Cie", domain_scores={"RGPD": 71.5}, summary="L'été « chaud »")
    entries = {entry.name: entry for entry in db.session.scalars(db.select(CatalogueEntry))}
    entries["Un Avis"].review_count, entries["Un Avis"].review_rating = 1, 4.0
    entries["Trois <Avis> & Cie"].review_count = 3
    entries["Trois <Avis> & Cie"].review_rating = 3.66666
    db.session.commit()

    cards = _cards(client, base_url="http://localhost/prefixe")
    sans, un, trois = cards["Sans Avis"], cards["Un Avis"], cards["Trois &lt;Avis&gt; &amp; Cie"]
    assert 'href="/prefixe/catalogue/sans-avis"' in sans
    assert "Note 85/100" in sans and "Pas encore d&#39;avis d&#39;enseignant" in sans
    assert '<abbr title="' in sans and "RGPD</abbr> 90 · " in sans and "PEDA</abbr> 81" in sans
    assert "Approuvé sous conditions" in un and "fr-badge--warning" in un
    assert "Note des enseignants : 4,0/5 (1 avis)" in un
    assert f"Valable jusqu’au {valid.day} " in un
    assert "Note des enseignants : 3,7/5 (3 avis)" in trois
    assert "L&#39;été « chaud »" in trois and "<Avis>" not in trois

    client.get("/langue/en")
    english = _cards(client)
    assert "Teachers&#39; rating: 4.0/5 (1 review)" in english["Un Avis"]
    assert "Approved with conditions" in english["Un Avis"]
    assert "No teacher review yet" in english["Sans Avis"]


def _results(client, **kwargs) -> str:
    page = client.get("/catalogue", **kwargs).get_data(as_text=True)
    return page.split('id="results"', 1)[1].split("</ul>", 1)[0]


def test_a_card_shows_its_entry_as_it_is_now_not_as_it_was_first_rendered(app, client):
    approve("Calcul Malin", summary="Du calcul mental.")
    assert "Pas encore d&#39;avis" in _cards(client)["Calcul Malin"]
    entry = db.session.scalars(db.select(CatalogueEntry)).one()
    entry.name, entry.review_count, entry.review_rating = "Calcul Très Malin", 2, 4.5
    db.session.commit()

    card = _cards(client)["Calcul Très Malin"]
    assert "Note des enseignants : 4,5/5 (2 avis)" in card
    assert "Calcul Malin<" not in _results(client)


def test_cards_from_the_shelf_are_the_cards_the_macro_renders(app, client, monkeypatch):
    for n in range(3):
        approve(f"Solution {n}", domain_scores={"RGPD": 70.0 + n, "PEDA": 60.5})
    shelf = cards.CardShelf(cards.DEFAULT_SIZE)
    monkeypatch.setitem(app.extensions, "catalogue_cards", shelf)
    monkeypatch.setitem(app.config, "CATALOGUE_CACHE_SIZE", 0)  # every page rendered
    pages = {}
    for lang in ("fr", "en"):
        client.get(f"/langue/{lang}")
        shelf.size = 0  # every card rendered by the macro
        made = _results(client)
        shelf.size = cards.DEFAULT_SIZE
        _results(client)  # fills the shelf
        pages[lang] = made
        assert _results(client) == made
    assert len(shelf) == 6  # three cards in two languages
    assert pages["fr"] != pages["en"]


def test_the_card_reads_nothing_of_the_row_but_its_key(app):
    """A field the macro reads must be in CARD_COLUMNS, or the shelf would keep a card
    that field has changed since: the macro given the key's fields alone renders the card
    it renders with the whole row."""
    approve(
        "Carte Complète",
        domain_scores={"RGPD": 88.0},
        outcome=AuditStatus.approved_with_conditions,
        summary="Tout est rempli.",
    )
    entry = db.session.scalars(db.select(CatalogueEntry)).one()
    entry.logo_name, entry.review_count, entry.review_rating = "abcdef0123456789.png", 5, 3.8
    db.session.commit()
    row = db.session.execute(db.select(*queries.LISTED)).one()
    with app.test_request_context("/catalogue"):
        macro = get_template_attribute("catalogue/_macros.html", "card")
        texts, href = views.page_texts(), lambda slug: f"/catalogue/{slug}"
        assert macro(cards.card_fields(row), texts, href) == macro(row, texts, href)
        whole = macro(row, texts, href)
        assert "abcdef012345" in whole and "3,8/5 (5 avis)" in whole and "Tout est rempli" in whole


def test_the_shelf_keeps_the_most_recently_shown_cards_only():
    shelf = cards.CardShelf(2)
    renders = []

    def card(name):
        return lambda: renders.append(name) or Markup.escape(name)

    for name in ("a", "b", "a", "c", "a", "b"):
        shelf.get((name,), card(name))
    assert renders == ["a", "b", "c", "b"]  # "b" dropped when "c" came, "a" kept: shown last
    assert len(shelf) == 2


def test_links_to_other_pages_and_searches_never_take_url_options_from_the_query(client):
    """``_scheme``, ``_external`` and ``_anchor`` are ``url_for``'s own options: typed in a
    query string, they must not turn the page's links into another address."""
    for n in range(3):
        approve(f"Page {n}")
    hostile = "_external=1&_scheme=javascript&_anchor=x&per_page=1"
    answers = [client.get(f"/catalogue?q={words}&{hostile}") for words in ("page", "introuvable")]
    assert [answer.status_code for answer in answers] == [200, 200]  # never a 500
    paged, empty = (answer.get_data(as_text=True) for answer in answers)
    assert 'href="/catalogue?q=page&amp;per_page=1&amp;page=2"' in paged
    assert 'id="remove-filters"' in empty
    for page in (paged, empty):
        links = re.findall(r'href="([^"]*)"', page)
        searches = [link for link in links if link.startswith("/catalogue?")]
        assert searches and not [
            link for link in links if link.startswith(("javascript", "http://localhost"))
        ]
        assert not [link for link in searches if "#" in link or "_scheme" in link]
