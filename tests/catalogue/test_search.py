"""Search, facets, sorts and pagination of the catalogue, on hand-built data."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from accelerator.audits.models import Pricing
from accelerator.audits.states import AuditStatus
from tests.catalogue.helpers import approve


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["slug"] for item in response.json["items"]]


@pytest.fixture
def catalogue(app):
    approve(
        "Élève Plus",
        company="Apprendre Ensemble SAS",
        summary="Exercices différenciés pour chaque élève.",
        description="Un parcours de calcul mental.",
        subjects=["mathematiques"],
        levels=["cycle2", "cycle3"],
        pricing=Pricing.free,
        gar_compatible=True,
        overall=91,
        domain_scores={"RGPD": 95.0, "PEDA": 85.0},
        decided_on=date.today() - timedelta(days=30),
    )
    approve(
        "Lecture Facile",
        company="Éditions Numériques",
        summary="Apprendre à lire au CP.",
        description="Des histoires lues à voix haute pour les élèves de maternelle.",
        subjects=["francais"],
        levels=["cycle1", "cycle2"],
        pricing=Pricing.freemium,
        gar_compatible=False,
        overall=70,
        domain_scores={"RGPD": 60.0, "PEDA": 80.0},
        decided_on=date.today() - timedelta(days=2),
    )
    approve(
        "Géo Carto",
        company="Cartes & Cie",
        summary="Cartes interactives.",
        description="Histoire et géographie au lycée.",
        subjects=["histoire-geographie", "francais"],
        levels=["lycee-general"],
        pricing=Pricing.paid,
        gar_compatible=True,
        overall=78,
        domain_scores={"RGPD": 82.0, "PEDA": 70.0},
        decided_on=date.today() - timedelta(days=10),
    )


@pytest.mark.parametrize(
    "q, expected",
    [
        ("eleve", {"eleve-plus", "lecture-facile"}),  # no accent finds accented words
        ("ÉLÈVE", {"eleve-plus", "lecture-facile"}),  # case and accents
        ("Eleve plus", {"eleve-plus"}),  # every word must match
        ("calcul", {"eleve-plus"}),  # the description
        ("numeriques", {"lecture-facile"}),  # the company
        ("cartes", {"geo-carto"}),  # name, summary and company
        ("geo", {"geo-carto"}),  # a prefix
        ("histoire", {"geo-carto", "lecture-facile"}),
        ("zzzz", set()),
        ("'\"*() - :", {"eleve-plus", "lecture-facile", "geo-carto"}),  # no words: no filter
    ],
)
def test_text_search(api, catalogue, q, expected):
    assert set(slugs(api.get("/catalogue", query_string={"q": q}))) == expected


def test_relevance_puts_the_name_first(api, catalogue):
    # "histoire" is in Géo Carto's description and Lecture Facile's description; "carto"
    # in Géo Carto's name only. A name match outranks a description match.
    approve("Histoire Vivante", description="Frises chronologiques.", overall=50)
    assert slugs(api.get("/catalogue?q=histoire"))[0] == "histoire-vivante"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("subject=francais", ["lecture-facile", "geo-carto"]),
        ("subject=francais&subject=mathematiques", None),
        ("level=cycle1", ["lecture-facile"]),
        ("level=lycee-general&level=cycle3", ["eleve-plus", "geo-carto"]),
        ("pricing=paid", ["geo-carto"]),
        ("pricing=free&pricing=freemium", ["eleve-plus", "lecture-facile"]),
        ("gar=true", ["eleve-plus", "geo-carto"]),
        ("gar=false", ["lecture-facile"]),
        ("min_score=75", ["eleve-plus", "geo-carto"]),
        ("min_score=91", ["eleve-plus"]),
        ("min_RGPD=80", ["eleve-plus", "geo-carto"]),
        ("min_rgpd=80&min_PEDA=75", ["eleve-plus"]),
        ("domain_min=PEDA:80", ["eleve-plus", "lecture-facile"]),
        ("domain_min=PEDA:80&domain_min=RGPD:61", ["eleve-plus"]),
        ("subject=francais&gar=true", ["geo-carto"]),
        ("q=eleve&level=cycle1", ["lecture-facile"]),
        ("subject=svt", []),
    ],
)
def test_filters(api, catalogue, query, expected):
    found = slugs(api.get(f"/catalogue?{query}&sort=score"))
    if expected is None:
        expected = ["eleve-plus", "geo-carto", "lecture-facile"]
    assert found == sorted(expected, key=["eleve-plus", "geo-carto", "lecture-facile"].index)


def test_facet_counts_ignore_their_own_filter(api, catalogue):
    body = api.get("/catalogue?subject=francais").json
    assert body["total"] == 2
    facets = body["facets"]
    # Subjects are counted over everything else's filters: choosing French keeps the others.
    assert facets["subject"] == {"mathematiques": 1, "francais": 2, "histoire-geographie": 1}
    assert facets["level"] == {"cycle1": 1, "cycle2": 1, "lycee-general": 1}
    assert facets["pricing"] == {"freemium": 1, "paid": 1}
    assert facets["gar"] == {"true": 1, "false": 1}


def test_facets_follow_the_text_search(api, catalogue):
    facets = api.get("/catalogue?q=eleve").json["facets"]
    assert facets["pricing"] == {"free": 1, "freemium": 1}
    assert facets["subject"] == {"mathematiques": 1, "francais": 1}


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("score", ["eleve-plus", "geo-carto", "lecture-facile"]),
        ("recent", ["lecture-facile", "geo-carto", "eleve-plus"]),
        ("relevance", ["eleve-plus", "geo-carto", "lecture-facile"]),  # no words: by score
    ],
)
def test_sorts(api, catalogue, sort, expected):
    assert slugs(api.get(f"/catalogue?sort={sort}")) == expected


def test_pagination(api, catalogue):
    body = api.get("/catalogue?sort=score&per_page=2&page=2").json
    assert (body["page"], body["per_page"], body["total"]) == (2, 2, 3)
    assert [item["slug"] for item in body["items"]] == ["lecture-facile"]
    assert api.get("/catalogue?per_page=2&page=5").json["items"] == []


def test_item_shape(api, catalogue):
    item = api.get("/catalogue?q=carto").json["items"][0]
    assert item["name"] == "Géo Carto" and item["organization"] == "Cartes & Cie"
    assert item["subjects"] == ["histoire-geographie", "francais"]
    assert item["levels"] == ["lycee-general"]
    assert (item["pricing"], item["gar_compatible"]) == ("paid", True)
    assert item["overall_score"] == 78.0
    assert item["domains"] == [{"code": "RGPD", "score": 82.0}, {"code": "PEDA", "score": 70.0}]
    assert item["outcome"] == "approved"
    assert item["valid_until"] == (date.today() + timedelta(days=365)).isoformat()
    assert item["decided_at"].startswith((date.today() - timedelta(days=10)).isoformat())
    assert len(item["verification_code"]) == 16


@pytest.mark.parametrize(
    "query, field",
    [
        ("subject=astrologie", "subject"),
        ("level=cycle9", "level"),
        ("pricing=cheap", "pricing"),
        ("gar=yes", "gar"),
        ("min_score=abc", "min_score"),
        ("min_score=101", "min_score"),
        ("min_score=-1", "min_score"),
        ("min_score=nan", "min_score"),
        ("min_RGPD=abc", "min_RGPD"),
        ("min_RGPD=150", "min_RGPD"),
        ("min_ASTRO=50", "min_ASTRO"),
        ("domain_min=RGPD", "domain_min"),
        ("domain_min=ASTRO:50", "domain_min"),
        ("sort=price", "sort"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("per_page=1000", "per_page"),
        ("q=" + "a" * 201, "q"),
    ],
)
def test_invalid_filters_answer_422(api, client, catalogue, query, field):
    response = api.get(f"/catalogue?{query}")
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert field in response.json["errors"]
    page = client.get(f"/catalogue?{query}", headers={"Accept-Language": "fr"})
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "Certains filtres de recherche ne sont pas valides" in text


def test_empty_catalogue(api, client):
    body = api.get("/catalogue").json
    assert (body["items"], body["total"]) == ([], 0)
    page = client.get("/catalogue?q=rien", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "Aucune solution ne correspond à cette recherche." in page.get_data(as_text=True)


def test_search_page_keeps_filters_in_links(client, catalogue):
    response = client.get(
        "/catalogue?subject=francais&subject=histoire-geographie&per_page=1&sort=score",
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Géo Carto" in html and "Cartes &amp; Cie" in html
    assert "subject=francais&amp;subject=histoire-geographie" in html  # shareable page links
    assert 'value="francais" checked' in html
    assert 'id="subject-francais" name="subject" value="francais" checked' in html
    # facet counts beside each choice (a subject's count ignores the subject filter)
    assert 'for="subject-francais">Français (2)</label>' in html
    assert 'for="subject-mathematiques">Mathématiques (1)</label>' in html
    assert 'for="pricing-paid">Payant (1)</label>' in html
    assert "Approuvée" in html or "Approuvé" in html


def test_outcome_with_conditions_is_listed(api):
    approve("Quiz Flash", outcome=AuditStatus.approved_with_conditions)
    item = api.get("/catalogue").json["items"][0]
    assert item["outcome"] == "approved_with_conditions"


def test_the_search_form_shows_every_choice_made(client, catalogue):
    """Each field of the filters shows what the query string chose (the first value of a
    repeated single-choice name, as the search reads it), and nothing else."""
    html = client.get(
        "/catalogue?q=lire&subject=francais&subject=mathematiques&level=cycle2&pricing=free"
        "&gar=true&min_score=60&min_score=90&min_rating=3&min_RGPD=70&sort=score",
        headers={"Accept-Language": "fr"},
    ).get_data(as_text=True)
    assert 'name="q" value="lire"' in html
    checked = re.findall(r'name="(\w+)" value="([\w-]+)" checked', html)
    assert sorted(checked) == [
        ("level", "cycle2"),
        ("pricing", "free"),
        ("subject", "francais"),
        ("subject", "mathematiques"),
    ]
    # each select's chosen option, looked for before that select ends
    selected = dict(
        re.findall(
            r'<select class="fr-select" id="([\w-]+)"(?:(?!</select>).)*?'
            r'<option value="([^"]*)"[^>]*selected',
            html,
            re.S,
        )
    )
    assert selected == {
        "facet-gar": "true",
        "facet-min-score": "60",
        "facet-min-rating": "3",
        "facet-min-RGPD": "70",
        "sort": "score",
    }
    assert 'aria-expanded="true" aria-controls="accordion-domain-minimums"' in html
    plain = client.get("/catalogue", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert " checked" not in plain and 'aria-expanded="false"' in plain
    assert re.findall(r'<option value="([^"]*)"[^>]*selected', plain) == ["relevance"]


def test_the_filters_kept_rendered_are_those_rendered_afresh(app, client, catalogue):
    """The selects' part of the column is kept under the choices made, when each is one the
    form offers; a value typed by hand is shown and not kept (nothing fills the store)."""

    def page(query: str, fresh: bool = False) -> str:
        app.jinja_env.auto_reload = fresh
        try:
            return client.get(f"/catalogue?{query}", headers={"Accept-Language": "fr"}).get_data(
                as_text=True
            )
        finally:
            app.jinja_env.auto_reload = False

    for query in ["", "min_score=70&sort=score", "min_RGPD=80", "min_score=70"]:
        page(query)
        assert page(query) == page(query, fresh=True)
    kept = len(app.extensions["layout_fragments"])
    typed = page("min_RGPD=73")
    assert '<option value="73" selected>73</option>' in typed
    page("min_RGPD=74&min_score=70")
    page("sort=nimportequoi")
    assert len(app.extensions["layout_fragments"]) == kept
    assert typed == page("min_RGPD=73", fresh=True)
    assert '"73"' not in page("min_RGPD=80")
    assert '<option value="80" selected>' in page("min_RGPD=80").split('id="facet-min-RGPD"')[1]
