"""Dates, times, a label and its detail, and French-only texts are written one way, in the
reader's language."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from markupsafe import Markup

from accelerator.core.formatting import day, french, labelled, moment


@pytest.mark.parametrize(
    "language, value, expected",
    [
        ("fr", date(2027, 3, 1), "1 mars 2027"),
        ("en", date(2027, 3, 1), "March 1, 2027"),
        # a UTC instant late in the evening is already the next day in Paris
        ("fr", datetime(2027, 3, 1, 23, 30, tzinfo=UTC), "2 mars 2027"),
        ("fr", None, ""),
    ],
)
def test_day(app, language, value, expected):
    with app.test_request_context(), force_locale(language):
        assert day(value) == expected


@pytest.mark.parametrize(
    "language, expected",
    [("fr", "1 juillet 2027 à 16:05"), ("en", "July 1, 2027 at 16:05")],
)
def test_moment_is_paris_time_in_the_readers_language(app, language, expected):
    with app.test_request_context(), force_locale(language):
        assert moment(datetime(2027, 7, 1, 14, 5, tzinfo=UTC)) == expected  # UTC+2 in summer


def test_french_texts_are_marked_on_english_pages_only(app):
    with app.test_request_context():
        with force_locale("en"):
            assert str(french("Données <b>")) == '<span lang="fr">Données &lt;b&gt;</span>'
        with force_locale("fr"):
            assert french("Données") == "Données"


def test_the_cadre_de_confiance_is_marked_french_on_the_english_page(client, app):
    from accelerator.criteria import operations
    from accelerator.extensions import db

    operations.load_default()
    db.session.commit()
    client.get("/langue/en")
    html = client.get("/cadre-de-confiance").get_data(as_text=True)
    assert '<html lang="en"' in html
    assert html.count('<span lang="fr">') > 40  # every criterion's title at least


@pytest.mark.parametrize(
    "language, expected",
    [("fr", "Mot de passe : Requis &lt;ici&gt;."), ("en", "Mot de passe: Requis &lt;ici&gt;.")],
)
def test_a_label_and_its_detail_take_the_colon_of_the_readers_language(app, language, expected):
    with app.test_request_context(), force_locale(language):
        assert str(labelled("Mot de passe", "Requis <ici>.")) == expected
        link = Markup('<a href="#password">Password</a>')
        assert str(labelled(link, "x")).startswith('<a href="#password">Password</a>')


@pytest.mark.parametrize(
    "language, expected",
    [("fr", "Mot de passe</a> : Ce champ est obligatoire."), ("en", "Password</a>: This field")],
)
def test_an_error_summary_reads_as_its_language_writes(client, language, expected):
    client.get(f"/langue/{language}")
    page = client.post("/inscription/enseignant", data={}).get_data(as_text=True)
    summary = page[page.index('id="error-summary"') :]
    assert expected in summary
    client.get("/langue/fr")
