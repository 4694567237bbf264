"""The reviews' pages: the solution's page shows the reviews, their average and number; a
trained teacher writes and edits a review; the company answers once; anyone signed in
reports; a manager moderates."""

from __future__ import annotations

import pytest

from accelerator.accounts.models import Role
from accelerator.extensions import db
from tests.catalogue.reviews_helpers import company_member, listed, trained_teacher
from tests.certification.factories import teacher_user
from tests.factories import make_user


@pytest.fixture
def sign_in(client, login_as):
    """Sign ``user`` in, whoever was signed in before."""

    def switch(user):
        client.post("/deconnexion")
        return login_as(user)

    return switch


def _page(client, solution) -> str:
    response = client.get(f"/catalogue/{solution.slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _write(client, solution, rating: int, comment: str):
    return client.post(
        f"/catalogue/{solution.slug}/mon-avis", data={"rating": str(rating), "comment": comment}
    )


def test_a_trained_teacher_reviews_from_the_page_and_edits(client, sign_in):
    solution = listed()
    sign_in(trained_teacher(solution))
    assert "Donner mon avis" in _page(client, solution)
    form = client.get(f"/catalogue/{solution.slug}/mon-avis")
    assert form.status_code == 200
    assert 'name="rating"' in form.get_data(as_text=True)

    response = _write(client, solution, 4, "Mes élèves ont adoré.")
    assert response.status_code == 302
    html = _page(client, solution)
    assert "Mes élèves ont adoré." in html
    assert "4/5" in html

    assert _write(client, solution, 2, "Finalement moyen.").status_code == 302
    html = _page(client, solution)
    assert "Finalement moyen." in html and "Mes élèves ont adoré." not in html


def test_a_teacher_without_completed_training_is_refused_on_the_page(client, sign_in):
    solution = listed()
    user, _ = teacher_user()
    db.session.commit()
    sign_in(user)
    page = client.get(f"/catalogue/{solution.slug}/mon-avis")
    assert page.status_code == 403
    assert 'name="rating"' not in page.get_data(as_text=True)
    assert _write(client, solution, 5, "Super.").status_code == 403
    assert "Super." not in _page(client, solution)


def test_the_comment_is_shown_as_plain_text(client, sign_in):
    solution = listed()
    sign_in(trained_teacher(solution))
    _write(client, solution, 3, '<script>alert("x")</script> <b>gras</b>')
    client.post("/deconnexion")
    html = _page(client, solution)
    assert "<script>alert" not in html and "<b>gras</b>" not in html
    assert "&lt;script&gt;" in html


def test_the_page_shows_the_average_and_number_of_reviews(client, sign_in):
    solution = listed()
    for rating in (5, 4):
        sign_in(trained_teacher(solution))
        _write(client, solution, rating, "")
    client.post("/deconnexion")
    html = _page(client, solution)
    assert "4,5/5" in html
    assert "2 avis" in html


def test_the_company_answers_once_from_the_page(client, sign_in):
    solution = listed()
    sign_in(trained_teacher(solution))
    _write(client, solution, 2, "Trop lent.")
    member = company_member(solution)
    sign_in(member)
    [review] = solution_reviews(solution)
    url = f"/catalogue/avis/{review.id}/reponse"
    assert url in _page(client, solution)
    assert client.post(url, data={"answer": "Corrigé en version 2."}).status_code == 302
    assert client.post(url, data={"answer": "Autre réponse."}).status_code == 200
    html = _page(client, solution)
    assert "Corrigé en version 2." in html and "Autre réponse." not in html
    # another company's member does not reach it
    sign_in(make_user(Role.company))
    assert client.get(url).status_code == 404
    assert client.post(url, data={"answer": "Intrus."}).status_code == 404


def solution_reviews(solution):
    from accelerator.catalogue.reviews.operations import published_reviews

    return list(db.session.scalars(published_reviews(solution.id)))


def test_report_then_hide_from_the_pages(client, sign_in, outbox):
    solution = listed()
    author = trained_teacher(solution)
    sign_in(author)
    _write(client, solution, 1, "Nul, à fuir.")
    [review] = solution_reviews(solution)

    sign_in(make_user(Role.company))
    report = client.post(f"/catalogue/avis/{review.id}/signaler", data={"reason": "Insultant."})
    assert report.status_code == 302

    sign_in(make_user(Role.manager))
    queue = client.get("/pilotage/avis").get_data(as_text=True)
    assert "Nul, à fuir." in queue
    moderation = client.get(f"/pilotage/avis/{review.id}").get_data(as_text=True)
    assert "Insultant." in moderation
    missing_reason = client.post(f"/pilotage/avis/{review.id}", data={"action": "hide"})
    assert missing_reason.status_code in (200, 422)
    outbox.clear()
    hidden = client.post(
        f"/pilotage/avis/{review.id}", data={"action": "hide", "reason": "Propos insultants."}
    )
    assert hidden.status_code == 302
    history = client.get(f"/pilotage/avis/{review.id}").get_data(as_text=True)
    assert "Propos insultants." in history
    assert "Nul, à fuir." not in client.get("/pilotage/avis").get_data(as_text=True)
    assert [message["To"] for message in outbox] == [author.email]

    client.post("/deconnexion")
    html = _page(client, solution)
    assert "Nul, à fuir." not in html
    assert "Aucun enseignant n’a encore" in html or "Aucun enseignant n'a encore" in html
    assert client.get(f"/catalogue/avis/{review.id}/signaler").status_code == 302  # sign in
    sign_in(make_user(Role.teacher))
    assert client.get(f"/catalogue/avis/{review.id}/signaler").status_code == 404  # hidden


def test_a_hidden_review_is_not_rewritten_from_the_page(client, sign_in):
    from accelerator.catalogue.reviews.operations import moderate_review

    solution = listed()
    author = trained_teacher(solution)
    sign_in(author)
    _write(client, solution, 1, "Premier jet.")
    [review] = solution_reviews(solution)
    moderate_review(make_user(Role.manager), review.id, "hide", "Hors sujet.")
    db.session.commit()
    page = client.get(f"/catalogue/{solution.slug}/mon-avis").get_data(as_text=True)
    assert 'name="rating"' not in page and "masqué par la modération" in page
    _write(client, solution, 5, "Réécrit.")
    sign_in(make_user(Role.manager))
    assert "Réécrit." not in client.get(f"/pilotage/avis/{review.id}").get_data(as_text=True)


def test_a_manager_restores_a_hidden_review_from_the_pages(client, sign_in, outbox):
    from accelerator.catalogue.reviews.operations import moderate_review

    solution = listed()
    author = trained_teacher(solution)
    sign_in(author)
    _write(client, solution, 5, "Très bien pour la géométrie.")
    [review] = solution_reviews(solution)
    moderate_review(make_user(Role.manager), review.id, "hide", "Signalé comme publicité.")
    db.session.commit()

    sign_in(make_user(Role.manager))
    assert "Très bien pour la géométrie." in client.get("/pilotage/avis/masques").get_data(
        as_text=True
    )
    page = client.get(f"/pilotage/avis/{review.id}").get_data(as_text=True)
    assert "Rétablir l’avis" in page or "Rétablir l'avis" in page
    url = f"/pilotage/avis/{review.id}/retablir"
    assert f'action="{url}"' in page
    outbox.clear()
    missing_reason = client.post(url, data={"reason": " "})
    assert missing_reason.status_code == 422
    assert "Dites pourquoi" in missing_reason.get_data(as_text=True)
    assert outbox == []
    restored = client.post(url, data={"reason": "Ce n’est pas une publicité."})
    assert restored.status_code == 302
    history = client.get(f"/pilotage/avis/{review.id}").get_data(as_text=True)
    assert "Ce n’est pas une publicité." in history and "Rétabli" in history
    assert "Très bien pour la géométrie." not in client.get("/pilotage/avis/masques").get_data(
        as_text=True
    )
    assert [message["To"] for message in outbox] == [author.email]
    # a second restore (another manager's tab) changes nothing and mails nobody
    outbox.clear()
    again = client.post(url, data={"reason": "Encore."}, follow_redirects=True)
    assert "déjà affiché" in again.get_data(as_text=True)
    assert outbox == []

    client.post("/deconnexion")
    html = _page(client, solution)
    assert "Très bien pour la géométrie." in html and "5/5" in html


def test_the_restore_pages_in_english(client, sign_in):
    from accelerator.catalogue.reviews.operations import moderate_review

    solution = listed()
    author = trained_teacher(solution)
    sign_in(author)
    _write(client, solution, 2, "Bof.")
    [review] = solution_reviews(solution)
    moderate_review(make_user(Role.manager), review.id, "hide", "Hors sujet.")
    db.session.commit()
    sign_in(make_user(Role.manager))
    client.get("/langue/en")
    assert "Hidden reviews" in client.get("/pilotage/avis/masques").get_data(as_text=True)
    page = client.get(f"/pilotage/avis/{review.id}").get_data(as_text=True)
    assert "Restore the review" in page and "Rétablir" not in page
    refused = client.post(f"/pilotage/avis/{review.id}/retablir", data={})
    assert "Say why the review is shown again." in refused.get_data(as_text=True)
    client.get("/langue/fr")
