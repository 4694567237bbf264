"""Hostile requests answer a clear 4xx and change nothing: never a 500.

Found by a hostile tester against PostgreSQL: ids past the 32-bit id columns, NUL bytes,
JSON nested 100,000 deep, lone surrogates, page numbers past the end, CR/LF in ``next``,
a session in year 9999, an unassigned country code.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accelerator.accounts.models import Organization, Role, User
from accelerator.core.db import utcnow
from accelerator.extensions import db
from accelerator.training.models import TrainingSession
from tests.factories import make_user
from tests.training.factories import make_catalogue_solution

DEEP_JSON = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 100_000 + "1" + "}" * 100_000
AS_JSON = "application/json"
PASSWORD = "un mot de passe solide"
COMPANY = {
    "email": "fondatrice@exemple.fr",
    "password": PASSWORD,
    "full_name": "Nadia Fondatrice",
    "role": "company",
    "organization": {"name": "Lecture Facile SAS", "siren": "732829320", "country": "FR"},
}
COMPANY_PAGE = {
    "full_name": "Nadia Fondatrice",
    "email": "nadia@exemple.fr",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
    "organization_name": "Lecture Facile",
    "siren": "732 829 320",
    "country": "FR",
}

# (method, url, request keyword arguments, expected status)
ANONYMOUS = [
    # ids from 2^31 to 2^63-1 on 32-bit id columns
    ("GET", "/api/v1/frameworks/2147483648", {}, 404),
    ("GET", "/api/v1/frameworks/9223372036854775807", {}, 404),
    ("GET", "/api/v1/frameworks/2147483647", {}, 404),
    ("GET", "/api/v1/training/sessions/4294967296", {}, 404),
    ("GET", "/formations/2147483648", {}, 404),
    ("GET", "/organisations/9223372036854775807", {}, 404),
    # NUL bytes in paths, query strings and fields
    ("GET", "/verify/%00", {}, 404),
    ("GET", "/api/v1/verify/%00", {}, 404),
    ("GET", "/catalogue/%00", {}, 404),
    ("GET", "/attestations/ab%00cd", {}, 404),
    ("GET", "/catalogue?q=%00", {}, 400),
    ("GET", "/api/v1/catalogue?q=a%00b", {}, 400),
    ("GET", "/formations?academy=%00", {}, 400),
    ("POST", "/api/v1/auth/token", {"json": {"email": "a\x00@x.fr", "password": "x"}}, 422),
    ("POST", "/api/v1/auth/register", {"json": {**COMPANY, "full_name": "Nadia\x00"}}, 422),
    ("POST", "/connexion", {"data": {"email": "a\x00@x.fr", "password": "x"}}, 422),
    ("POST", "/inscription/entreprise", {"data": {**COMPANY_PAGE, "full_name": "N\x00"}}, 422),
    # JSON nested 100,000 deep
    ("POST", "/api/v1/auth/token", {"data": DEEP_JSON, "content_type": AS_JSON}, 400),
    ("POST", "/api/v1/auth/register", {"data": DEEP_OBJECT, "content_type": AS_JSON}, 400),
    (
        "POST",
        "/api/v1/frameworks/current/diagnostic",
        {"data": DEEP_JSON, "content_type": AS_JSON},
        400,
    ),
    # lone surrogates in JSON strings (query strings decode them as replacement characters)
    ("POST", "/api/v1/auth/token", {"json": {"email": "a\ud800@x.fr", "password": "x"}}, 422),
    ("POST", "/api/v1/auth/register", {"json": {**COMPANY, "full_name": "\udfff"}}, 422),
    ("POST", "/api/v1/auth/register", {"json": {**COMPANY, "\ud800": 1}}, 422),
    ("GET", "/catalogue?q=%ED%A0%80", {}, 200),
    ("GET", "/api/v1/catalogue?q=%ED%A0%80", {}, 200),
    # page numbers past the end, or past any end
    ("GET", "/catalogue?page=2", {}, 404),
    ("GET", "/catalogue?page=999999999999999999999", {}, 422),
    ("GET", "/formations?page=2", {}, 404),
    ("GET", "/formations?page=999999999999999999999", {}, 404),
    ("GET", "/formations?page=abc", {}, 404),
    ("GET", "/api/v1/catalogue?page=999999999999999999999", {}, 422),
    ("GET", "/api/v1/training/sessions?page=999999999999999999999", {}, 422),
    # CR/LF in next
    ("GET", "/langue/fr?next=/%0d%0aSet-Cookie:%20x=1", {}, 302),
    ("GET", "/langue/en?next=/catalogue%0a", {}, 302),
    # countries are assigned ISO 3166-1 alpha-2 codes
    (
        "POST",
        "/api/v1/auth/register",
        {"json": {**COMPANY, "organization": {**COMPANY["organization"], "country": "ZZ"}}},
        422,
    ),
    ("POST", "/inscription/entreprise", {"data": {**COMPANY_PAGE, "country": "ZZ"}}, 422),
    ("POST", "/inscription/entreprise", {"data": {**COMPANY_PAGE, "country": "EU"}}, 422),
]


def _rows() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(User)),
        db.session.scalar(select(func.count()).select_from(Organization)),
    )


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status"),
    ANONYMOUS,
    ids=[f"{method} {url[:60]} {status}" for method, url, _, status in ANONYMOUS],
)
def test_hostile_anonymous_requests_answer_a_clear_4xx(client, method, url, kwargs, status):
    before = _rows()
    response = client.open(url, method=method, headers={"Accept-Language": "fr"}, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    assert _rows() == before  # nothing changed
    body = response.get_data(as_text=True)
    if url.startswith("/api/") and status >= 400:
        assert response.content_type == "application/problem+json"
        assert response.json["status"] == status and response.json["detail"]
    elif status >= 400:
        assert response.content_type.startswith("text/html")
        # an error page, or the page itself with its French error message
        marks = ("Erreur", "Page non trouvée", "fr-error-text", "alert")
        assert any(mark in body for mark in marks)
    if status == 302:
        location = response.headers["Location"]
        assert "\r" not in location and "\n" not in location and "Set-Cookie" not in location


def test_a_json_field_holding_nul_is_named_in_the_problem(api):
    response = api.post("/auth/register", json={**COMPANY, "full_name": "Nadia\x00Fondatrice"})
    assert response.status_code == 422
    assert "full_name" in response.json["errors"]
    assert "caractère" in response.json["errors"]["full_name"][0]


def test_page_past_the_end_says_how_many_pages_there_are(client):
    response = client.get("/formations?page=7")
    assert response.status_code == 404
    assert "pas de page 7" in response.get_data(as_text=True)


def test_the_catalogue_api_past_the_end_is_an_empty_list(client):
    response = client.get("/api/v1/catalogue?page=50")
    assert response.status_code == 200
    assert (response.json["page"], response.json["items"]) == (50, [])


def _session_form(solution_id: int, starts_at: str, ends_at: str) -> dict:
    return {
        "title": "Mathador en classe",
        "solution_ids": [str(solution_id)],
        "format": "in_person",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "duration_hours": "3",
        "capacity": "15",
        "academy": "nantes",
    }


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        ("9999-12-31T20:00", "9999-12-31T23:30"),
        ("2030-01-01T09:00", "9999-12-31T23:59"),
        ("0001-01-01T00:00", "2030-01-01T09:00"),
    ],
)
def test_a_session_dated_beyond_sane_years_is_refused_on_the_form(
    client, login_as, starts_at, ends_at
):
    solution = make_catalogue_solution(name="Mathador")
    login_as(make_user(Role.trainer))
    form = _session_form(solution.id, starts_at, ends_at)
    response = client.post("/formations/nouvelle", data=form)
    assert response.status_code == 422
    assert "entre 2000 et 2100" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(TrainingSession)) == 0


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        ("9999-12-31T20:00:00", "9999-12-31T23:30:00"),
        ("9999-12-31T22:00:00+00:00", "9999-12-31T23:59:59+00:00"),
        ("0001-01-01T00:30:00+01:00", "2030-01-01T09:00:00"),
    ],
)
def test_a_session_dated_beyond_sane_years_is_refused_by_the_api(api, starts_at, ends_at):
    solution = make_catalogue_solution(name="Mathador")
    trainer = make_user(Role.trainer)
    payload = {
        "title": "Mathador en classe",
        "solution_ids": [solution.id],
        "format": "in_person",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "duration_hours": 3,
        "capacity": 15,
        "academy": "nantes",
    }
    response = api.post("/training/sessions", user=trainer, json=payload)
    assert response.status_code == 422, response.json
    assert response.content_type == "application/problem+json"
    assert db.session.scalar(select(func.count()).select_from(TrainingSession)) == 0


def test_filters_of_the_sessions_list_beyond_sane_years_are_refused(client):
    response = client.get("/formations?date_from=9999-12-31")
    assert response.status_code < 500


@pytest.mark.parametrize("identifier", [2**31, 2**40, 2**63 - 1])
def test_body_ids_past_the_id_columns_are_invalid(api, identifier):
    trainer = make_user(Role.trainer)
    start = utcnow() + timedelta(days=30)
    payload = {
        "title": "Mathador en classe",
        "solution_ids": [identifier],
        "format": "in_person",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(),
        "duration_hours": 3,
        "capacity": 15,
        "academy": "nantes",
    }
    response = api.post("/training/sessions", user=trainer, json=payload)
    assert response.status_code == 422
    assert "solution_ids" in response.json["errors"]


@pytest.mark.parametrize(
    ("code", "known"),
    [
        ("FR", True),
        ("DE", True),
        ("RE", True),
        ("SS", True),
        ("ZZ", False),
        ("EU", False),
        ("XK", False),
        ("UK", False),
        ("QO", False),
        ("fr", False),
        ("FRA", False),
    ],
)
def test_countries_are_assigned_iso_codes(code, known):
    from accelerator.core.reference import country_codes

    assert (code in country_codes()) is known


def test_route_and_body_ids_stop_where_the_id_columns_do(app):
    """Ids are 32-bit ``Integer`` columns (PostgreSQL's ``integer``); MAX_ID is their
    largest value, so a larger id is refused before it reaches the driver."""
    from sqlalchemy import BigInteger, Integer

    from accelerator.core.schemas import MAX_ID

    id_columns = [
        column
        for table in db.metadata.tables.values()
        for column in table.columns
        if column.primary_key or column.foreign_keys
    ]
    assert id_columns
    assert not [c for c in id_columns if isinstance(c.type, BigInteger)]
    assert all(isinstance(c.type, Integer) for c in id_columns if c.name.endswith("id"))
    assert MAX_ID == 2**31 - 1
    assert app.url_map.converters["int"](app.url_map).max == MAX_ID
