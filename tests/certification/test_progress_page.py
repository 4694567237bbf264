"""The public counter page states when its figures were computed, and a missing projection
says which months the pace is measured over, so that it never contradicts the table of the
month in progress."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from flask_babel import force_locale

from accelerator.certification.views import figures_time
from accelerator.extensions import db
from tests.certification.factories import approved_solution, enroll, make_session, teacher


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", html.replace("\u00a0", " "))


def test_the_time_of_the_figures_reads_as_french_writes_it(app):
    moment = datetime(2026, 12, 1, 9, 15, tzinfo=UTC)  # 10:15 in Paris (winter time)
    with app.test_request_context(), force_locale("fr"):
        assert _plain(figures_time(moment)) == "Chiffres arrêtés le 1er décembre 2026 à 10 h 15"
        later = datetime(2027, 7, 14, 6, 5, tzinfo=UTC)  # summer time
        assert _plain(figures_time(later)) == "Chiffres arrêtés le 14 juillet 2027 à 8 h 05"
    with app.test_request_context(), force_locale("en"):
        assert figures_time(moment) == "Figures as of 1 December 2026 at 10:15"


def test_the_page_states_the_time_of_its_figures(client):
    page = _plain(client.get("/progression").get_data(as_text=True))
    assert re.search(r"Chiffres arrêtés le \d{1,2}(er)? \w+ \d{4} à \d{1,2} h \d{2}", page)


def test_a_month_in_progress_is_not_contradicted_by_the_projection(client):
    enroll(teacher(), make_session([approved_solution()], on=date.today()))
    db.session.commit()
    page = _plain(client.get("/progression").get_data(as_text=True))
    assert "(mois en cours)" in page
    assert "aucun nouvel enseignant formé" not in page.replace(
        "pendant lesquels aucun nouvel enseignant n'a été formé", ""
    )
    assert "Les enseignants formés dans le mois en cours comptent une fois celui-ci terminé" in page
    # The window is named: the six whole months before this one.
    assert re.search(r"six mois entiers de \w+ \d{4} à \w+ \d{4}", page)


def test_without_any_trained_teacher_the_page_says_so(client):
    page = _plain(client.get("/progression").get_data(as_text=True))
    assert "aucun enseignant n'a été formé jusqu'ici" in page


def test_the_page_lists_the_solutions_with_the_most_trained_teachers(client, monkeypatch):
    """Thousands of solutions would weigh on every visit: the page shows the first ones,
    most trained teachers first, says how many there are, and links to the open data
    holding all of them."""
    from accelerator.certification import views

    monkeypatch.setattr(views, "TOP_SOLUTIONS", 2)
    solutions = [approved_solution(name=name) for name in ("Alpha", "Bravo", "Charlie")]
    for solution, trained in zip(solutions, (1, 3, 2), strict=True):
        session = make_session([solution])
        for _ in range(trained):
            enroll(teacher(), session)
    db.session.commit()
    page = _plain(client.get("/progression").get_data(as_text=True))
    assert page.index("Bravo") < page.index("Charlie")
    assert "Alpha" not in page
    assert "Les 2 solutions comptant le plus d'enseignants formés, sur 3." in page
    assert 'href="/api/v1/training/progress"' in page
    api = client.get("/api/v1/training/progress").get_json()
    assert len(api["by_solution"]) == 3
