"""Search finds what teachers type: every public field, subjects and levels by their names,
the name ranked first; an empty result offers to remove filters instead of zeros."""

from __future__ import annotations

import pytest

from accelerator.audits.models import Pricing
from tests.catalogue.helpers import approve


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["slug"] for item in response.json["items"]]


@pytest.fixture
def catalogue(app):
    approve(
        "Calculo",
        company="Chiffres et Lettres SAS",
        summary="Exercices quotidiens.",
        description="Un entraînement court chaque matin.",
        subjects=["mathematiques"],
        levels=["cycle3"],
        pricing=Pricing.free,
    )
    approve(
        "Atelier Pro",
        company="Métiers Numériques",
        summary="Gestes techniques filmés.",
        description="Vidéos pour les ateliers.",
        subjects=["enseignement-professionnel"],
        levels=["lycee-professionnel"],
        pricing=Pricing.paid,
    )


@pytest.mark.parametrize(
    "q, expected",
    [
        # a subject by its French name, with and without accents, and in English
        ("mathématiques", {"calculo"}),
        ("mathematiques", {"calculo"}),
        ("MATHÉMATIQUES", {"calculo"}),
        ("mathematics", {"calculo"}),
        # a level by its French name, accents or not; a class named in the level
        ("lycée professionnel", {"atelier-pro"}),
        ("lycee pro", {"atelier-pro"}),
        ("cm1", {"calculo"}),
        ("cycle 3", {"calculo"}),
        # the company, the summary and the description
        ("chiffres lettres", {"calculo"}),
        ("metiers", {"atelier-pro"}),
        ("quotidiens", {"calculo"}),
        ("videos", {"atelier-pro"}),
        # every word must be found, across fields
        ("calculo mathematiques", {"calculo"}),
        ("calculo lycee", set()),
    ],
)
def test_every_public_field_is_searched(api, catalogue, q, expected):
    assert set(slugs(api.get("/catalogue", query_string={"q": q}))) == expected


def test_the_page_finds_a_subject_the_facet_shows(client, catalogue):
    html = client.get("/catalogue", query_string={"q": "mathématiques"}).get_data(as_text=True)
    assert "Calculo" in html and "Atelier Pro" not in html


def test_a_match_in_the_name_ranks_before_a_match_elsewhere(api, app):
    approve("Quiz Express", summary="Révisions.", description="Des questions.")
    approve(
        "Révise Tout",
        summary="Un quiz chaque jour.",
        description="Le quiz, encore le quiz, toujours le quiz.",
    )
    approve("Carnet", company="Quiz Éditions", summary="Cahier numérique.")
    ranked = slugs(api.get("/catalogue", query_string={"q": "quiz", "sort": "relevance"}))
    assert ranked[0] == "quiz-express"
    assert set(ranked) == {"quiz-express", "revise-tout", "carnet"}


def test_keywords_follow_a_change_of_subjects(api, app):
    from accelerator.catalogue.operations import refresh_catalogue_entry
    from accelerator.extensions import db

    audit = approve("Carto", subjects=["histoire-geographie"], levels=["cycle4"])
    assert slugs(api.get("/catalogue", query_string={"q": "géographie"})) == ["carto"]
    audit.solution.subjects = ["svt"]
    refresh_catalogue_entry(audit.solution_id)
    db.session.commit()
    assert slugs(api.get("/catalogue", query_string={"q": "géographie"})) == []
    assert slugs(api.get("/catalogue", query_string={"q": "vie terre"})) == ["carto"]


def test_an_empty_result_offers_to_remove_each_filter_and_shows_no_zeros(client, catalogue):
    page = client.get(
        "/catalogue",
        query_string={"q": "introuvable", "subject": "mathematiques", "pricing": "paid"},
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "(0)" not in html  # no column of zeros beside the facets
    removals = html.split('id="remove-filters"', 1)[1].split("</ul>", 1)[0]
    # one link per word and filter in use, each keeping the others
    assert removals.count("<li>") == 3
    assert "Mathématiques" in removals and "Payant" in removals and "introuvable" in removals
    without_subject = [
        line for line in removals.splitlines() if "Mathématiques" in line and "href" in line
    ][0]
    assert "subject=" not in without_subject
    assert "q=introuvable" in without_subject and "pricing=paid" in without_subject


def test_results_keep_their_facet_counts(client, catalogue):
    html = client.get("/catalogue").get_data(as_text=True)
    assert "Mathématiques (1)" in html and 'id="remove-filters"' not in html
