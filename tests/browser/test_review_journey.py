"""A teacher trained on a solution reviews it in a real browser (real forms, CSRF on), the
company is told by mail, and the review with the teachers' average shows on the public
page; each page passes axe-core's WCAG 2.1 A/AA rules."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accelerator.extensions import db
from tests.catalogue.reviews_helpers import company_member, listed, trained_teacher
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_a_trained_teacher_reviews_a_solution(page, live_server, accessible, mailbox):
    solution = listed("Calcul Malin")
    member = company_member(solution)
    teacher = trained_teacher(solution)
    slug, member_email, teacher_email = solution.slug, member.email, teacher.email
    db.session.commit()

    page.goto("/connexion")
    page.get_by_label("Adresse électronique").fill(teacher_email)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.goto(f"/catalogue/{slug}")
    page.get_by_role("link", name="Donner mon avis").click()
    accessible(page, "review form")
    radio = page.get_by_label("4", exact=True)
    page.locator(f'label[for="{radio.get_attribute("id")}"]').click()  # DSFR: the label
    expect(radio).to_be_checked()
    page.get_by_label("Votre commentaire").fill("Mes élèves de CM2 ont progressé en calcul.")
    page.get_by_role("button", name="Publier mon avis").click()

    expect(page.get_by_text("Merci : votre avis est publié.")).to_be_visible()
    expect(page.get_by_text("Mes élèves de CM2 ont progressé en calcul.")).to_be_visible()
    expect(page.get_by_text("Note moyenne 4,0/5, sur 1 avis d'enseignant formé.")).to_be_visible()
    accessible(page, "solution page with a review")
    assert [m.template for m in mailbox.messages(member_email)] == ["review_new"]
