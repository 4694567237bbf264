"""The sessions' calendar: the list shows the sessions to come unless the reader asks for the
past ones or all of them (the choice stays in the URL), and no session is scheduled or moved
into the past, on the page or in the API."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from accelerator.accounts.models import Role
from accelerator.core.db import utcnow
from accelerator.extensions import db
from accelerator.training.models import TrainingSession
from tests.factories import make_user
from tests.training.factories import make_catalogue_solution, make_session

PARIS = ZoneInfo("Europe/Paris")
PAST_START = "Une session ne peut pas commencer dans le passé"


def _titles(html: str) -> list[str]:
    """The session titles of the list's table, in their order."""
    return re.findall(r'<a href="/formations/\d+">([^<]+)</a>', html)


@pytest.fixture
def calendar():
    solution = make_catalogue_solution()
    return {
        "soon": make_session([solution], title="Dans trois jours", starts_in=timedelta(days=3)),
        "later": make_session([solution], title="Dans un mois", starts_in=timedelta(days=30)),
        "recent": make_session([solution], title="Il y a deux jours", starts_in=-timedelta(days=2)),
        "old": make_session([solution], title="Il y a deux mois", starts_in=-timedelta(days=60)),
    }


def test_the_list_shows_the_sessions_to_come_by_default(client, calendar):
    html = client.get("/formations").get_data(as_text=True)
    assert _titles(html) == ["Dans trois jours", "Dans un mois"]
    assert "<h1>Sessions de formation à venir</h1>" in html


def test_the_past_sessions_are_listed_latest_first_on_demand(client, calendar):
    html = client.get("/formations?when=past").get_data(as_text=True)
    assert _titles(html) == ["Il y a deux jours", "Il y a deux mois"]
    assert "<h1>Sessions de formation passées</h1>" in html


def test_all_sessions_are_listed_in_date_order(client, calendar):
    html = client.get("/formations?when=all").get_data(as_text=True)
    assert _titles(html) == [
        "Il y a deux mois",
        "Il y a deux jours",
        "Dans trois jours",
        "Dans un mois",
    ]


def test_the_choice_is_a_radio_group_that_shows_the_current_one(client, calendar):
    html = client.get("/formations?when=past").get_data(as_text=True)
    legend = re.search(r'<legend[^>]*id="when-legend"[^>]*>([^<]+)', html)
    assert legend and legend.group(1).strip() == "Sessions affichées"
    labels = re.findall(r'<label class="fr-label" for="when-\d">([^<]+)</label>', html)
    assert labels == ["Sessions à venir", "Sessions passées", "Toutes les sessions"]
    checked = re.findall(r'<input[^>]*name="when"[^>]*>', html)
    assert [("checked" in tag, 'value="past"' in tag) for tag in checked] == [
        (False, False),
        (True, True),
        (False, False),
    ]


def test_the_choice_stays_in_the_pagination_links(client):
    solution = make_catalogue_solution()
    for day in range(22):
        make_session([solution], title=f"Passée {day:02d}", starts_in=-timedelta(days=day + 1))
    html = client.get("/formations?when=past").get_data(as_text=True)
    links = re.findall(r'href="(/formations\?[^"]*page=2[^"]*)"', html)
    assert links and all("when=past" in link for link in links)
    second = client.get(links[0].replace("&amp;", "&")).get_data(as_text=True)
    assert _titles(second) == ["Passée 20", "Passée 21"]


def test_other_filters_apply_to_the_past_sessions_too(client):
    solution = make_catalogue_solution()
    make_session([solution], title="Passée à Lyon", academy="lyon", starts_in=-timedelta(days=3))
    make_session([solution], title="Passée à Paris", academy="paris", starts_in=-timedelta(days=3))
    html = client.get("/formations?when=past&academy=lyon").get_data(as_text=True)
    assert _titles(html) == ["Passée à Lyon"]


def test_trainers_get_the_same_choice(client, login_as, calendar):
    login_as(make_user(Role.trainer))
    html = client.get("/formations?when=past").get_data(as_text=True)
    assert _titles(html) == ["Il y a deux jours", "Il y a deux mois"]
    assert "Nouvelle session" in html


def test_an_unknown_choice_is_explained_and_shows_the_sessions_to_come(client, calendar):
    response = client.get("/formations?when=demain")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "fr-alert--error" in html
    assert _titles(html) == ["Dans trois jours", "Dans un mois"]


def test_the_api_lists_past_or_all_sessions_on_demand(api, calendar):
    def titles(query: str) -> list[str]:
        response = api.get(f"/training/sessions{query}")
        assert response.status_code == 200, response.json
        return [item["title"] for item in response.json["items"]]

    assert titles("") == ["Dans trois jours", "Dans un mois"]
    assert titles("?when=upcoming") == ["Dans trois jours", "Dans un mois"]
    assert titles("?when=past") == ["Il y a deux jours", "Il y a deux mois"]
    assert len(titles("?when=all")) == 4
    # As before the choice existed: "from" alone lists every session from that day.
    week_ago = (utcnow() - timedelta(days=7)).date().isoformat()
    assert titles(f"?from={week_ago}") == ["Il y a deux jours", "Dans trois jours", "Dans un mois"]
    assert titles(f"?when=upcoming&from={week_ago}") == ["Dans trois jours", "Dans un mois"]
    assert api.get("/training/sessions?when=tomorrow").status_code == 422


# --- No session in the past ---------------------------------------------------------------


def _form(solution, start, hours: int = 3, **fields) -> dict:
    local = start.astimezone(PARIS)
    return {
        "title": "Atelier",
        "solution_ids": [str(solution.id)],
        "format": "in_person",
        "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (local + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M"),
        "duration_hours": str(hours),
        "capacity": "12",
        "academy": "nantes",
        "location": "Atelier Canopé 44",
        **fields,
    }


def test_a_session_cannot_be_created_in_the_past_on_the_page(client, login_as):
    solution = make_catalogue_solution()
    login_as(make_user(Role.trainer))
    response = client.post(
        "/formations/nouvelle", data=_form(solution, utcnow() - timedelta(days=1))
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert PAST_START in html and 'id="starts_at-messages"' in html
    assert "fr-input-group--error" in html
    assert db.session.query(TrainingSession).count() == 0


def test_a_session_is_created_for_later_today(client, login_as):
    solution = make_catalogue_solution()
    login_as(make_user(Role.trainer))
    response = client.post(
        "/formations/nouvelle", data=_form(solution, utcnow() + timedelta(minutes=30))
    )
    assert response.status_code == 302
    assert db.session.query(TrainingSession).count() == 1


def test_a_session_cannot_be_moved_into_the_past_on_the_page(client, login_as):
    session = make_session(title="Atelier")
    start = session.starts_at
    login_as(make_user(Role.manager))
    data = _form(session.solutions[0], utcnow() - timedelta(hours=5))
    response = client.post(f"/formations/{session.id}/modifier", data=data)
    assert response.status_code == 422 and PAST_START in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(TrainingSession, session.id).starts_at == start


def test_a_session_that_started_can_still_be_corrected(client, login_as):
    """Its start stays where it is: only a new start is checked."""
    session = make_session(title="Atelier", starts_in=-timedelta(hours=1))
    login_as(make_user(Role.trainer))
    data = _form(session.solutions[0], session.starts_at, title="Atelier (salle B12)")
    response = client.post(f"/formations/{session.id}/modifier", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    db.session.expire_all()
    assert db.session.get(TrainingSession, session.id).title == "Atelier (salle B12)"


def _body(solution, start) -> dict:
    return {
        "title": "Atelier",
        "solution_ids": [solution.id],
        "format": "remote",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "duration_hours": 2,
        "capacity": 20,
        "academy": "lyon",
    }


def test_the_api_refuses_a_session_in_the_past(api):
    solution = make_catalogue_solution()
    response = api.post(
        "/training/sessions",
        user=make_user(Role.trainer),
        json=_body(solution, utcnow() - timedelta(days=2)),
    )
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert PAST_START in response.json["errors"]["starts_at"][0]
    assert db.session.query(TrainingSession).count() == 0


def test_the_api_refuses_to_move_a_session_into_the_past(api):
    session = make_session()
    start = session.starts_at
    response = api.patch(
        f"/training/sessions/{session.id}",
        user=make_user(Role.manager),
        json={"starts_at": (utcnow() - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert "starts_at" in response.json["errors"]
    db.session.expire_all()
    assert db.session.get(TrainingSession, session.id).starts_at == start
