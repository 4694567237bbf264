"""A solution's page and API item: description, profile, decision, conditions, sessions."""

from __future__ import annotations

from datetime import date, timedelta

from accelerator.audits.models import Condition, Decision
from accelerator.audits.states import AuditStatus
from accelerator.core.db import utcnow
from accelerator.extensions import db
from accelerator.training.models import SessionFormat, SessionStatus, TrainingSession
from tests.catalogue.helpers import approve

FR = {"Accept-Language": "fr"}


def session_on(solution, title: str, starts_in_days: int, status=SessionStatus.scheduled):
    starts = utcnow() + timedelta(days=starts_in_days)
    session = TrainingSession(
        reference=f"REF-{title}",
        title=title,
        format=SessionFormat.remote,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        duration_hours=3,
        capacity=20,
        academy="lyon",
        location="Atelier Canopé",
        status=status,
        solutions=[solution],
    )
    db.session.add(session)
    return session


def make_detailed():
    audit = approve(
        "Calcul Malin",
        outcome=AuditStatus.approved_with_conditions,
        description="Premier paragraphe.\n\nSecond paragraphe.",
        website="https://calcul.example.fr",
        domain_scores={"RGPD": 64.0, "PEDA": 91.5},
        overall=77,
    )
    decision = db.session.scalar(db.select(Decision).where(Decision.audit_id == audit.id))
    decision.conditions.append(
        Condition(text="Publier la politique de confidentialité.", due_date=date(2027, 3, 1))
    )
    session_on(audit.solution, "Prise en main", 10)
    session_on(audit.solution, "Passée", -3)
    session_on(audit.solution, "Annulée", 5, status=SessionStatus.cancelled)
    db.session.commit()
    return audit


def test_solution_page(client):
    audit = make_detailed()
    response = client.get("/catalogue/calcul-malin", headers=FR)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<p>Second paragraphe.</p>" in html
    assert "https://calcul.example.fr" in html
    # the chart (SVG, widths as attributes: no inline style) and its table
    assert '<svg class="app-chart" role="img"' in html and 'width="256.0"' in html
    assert "<caption>" in html and '<th scope="row">Domaine RGPD (RGPD)</th><td>64</td>' in html
    assert "style=" not in html
    assert "Publier la politique de confidentialité." in html and "1 mars 2027" in html
    assert "Prise en main" in html and "Passée" not in html and "Annulée" not in html
    assert f"/verify/{audit.verification_code}" in html
    assert "/badges/calcul-malin.svg" in html


def test_solution_api(api):
    make_detailed()
    body = api.get("/catalogue/calcul-malin").json
    assert body["outcome"] == "approved_with_conditions"
    assert body["description"] == "Premier paragraphe.\n\nSecond paragraphe."
    assert body["domains"] == [
        {"code": "RGPD", "name": "Domaine RGPD", "score": 64.0},
        {"code": "PEDA", "name": "Domaine PEDA", "score": 91.5},
    ]
    assert body["conditions"] == [
        {
            "text": "Publier la politique de confidentialité.",
            "due_date": "2027-03-01",
            "fulfilled": False,
            "status": "open",
            "overdue": False,
        }
    ]
    assert [s["title"] for s in body["training_sessions"]] == ["Prise en main"]
    assert body["training_sessions"][0]["places_left"] == 20


def test_unknown_solution_is_404(api, client):
    assert api.get("/catalogue/nulle-part").status_code == 404
    assert api.get("/catalogue/nulle-part").content_type == "application/problem+json"
    assert client.get("/catalogue/nulle-part").status_code == 404


def test_the_menu_has_the_catalogue(client):
    html = client.get("/", headers=FR).get_data(as_text=True)
    assert 'href="/catalogue"' in html
