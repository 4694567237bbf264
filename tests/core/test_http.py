"""HTTP conventions: problem+json everywhere under /api, pagination, health, headers, CSRF."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from accelerator.accounts.models import Role
from tests.factories import make_user


def test_unknown_api_route_is_a_problem(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert response.json["status"] == 404 and response.json["title"]


def test_wrong_method_is_a_problem_with_allow(client):
    response = client.delete("/api/v1/me")
    assert response.status_code == 405
    assert response.content_type == "application/problem+json"
    assert "GET" in response.headers["Allow"]


def test_unknown_page_is_a_french_page(client):
    response = client.get("/nulle-part", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    assert "Page non trouvée" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "per_page=101",
        "per_page=0",
        "page=0",
        "page=-1",
        "page=abc",
        "per_page=1.5",
        "page=99999999999999999999999",
    ],
)
def test_bad_pagination_answers_422(api, query):
    response = api.get(f"/users?{query}", user=make_user(Role.admin))
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert response.json["errors"]


def test_pagination_shape(api):
    admin = make_user(Role.admin)
    for _ in range(4):
        make_user(Role.expert)
    response = api.get("/users?page=2&per_page=2", user=admin)
    assert response.status_code == 200
    body = response.json
    assert (body["page"], body["per_page"], body["total"]) == (2, 2, 5)
    assert len(body["items"]) == 2
    assert api.get("/users?role=expert", user=admin).json["total"] == 4


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_a_database_down(client, monkeypatch):
    from accelerator.extensions import db

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    with monkeypatch.context() as patch:  # undone before the database is emptied
        patch.setattr(db.session, "execute", broken)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] != "ok"


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert response.headers["X-Request-ID"]
    assert "Strict-Transport-Security" not in response.headers  # only in production


def test_no_inline_script_in_pages(client):
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html and "onclick=" not in html
    for tag in html.split("<script")[1:]:
        assert "src=" in tag.split(">")[0]


def test_session_cookie_flags(client):
    make_user(Role.company, email="a@exemple.fr")
    from tests.factories import PASSWORD

    response = client.post("/connexion", data={"email": "a@exemple.fr", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_forms_refuse_a_missing_csrf_token(csrf_app):
    client = csrf_app.test_client()
    make_user(Role.company, email="a@exemple.fr")
    from tests.factories import PASSWORD

    response = client.post("/connexion", data={"email": "a@exemple.fr", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/mon-compte").status_code == 302  # not signed in


def test_api_needs_no_csrf_token(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/api/v1/auth/token", json={"email": "x@y.fr", "password": "z" * 12})
    assert response.status_code == 401


def test_openapi_document_lists_the_contract(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    for path in ("/auth/register", "/auth/token", "/me", "/users"):
        assert path in spec["paths"]
    assert client.get("/api/docs").status_code == 200


def test_production_refuses_to_start_without_secrets(monkeypatch):
    from accelerator import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", SQLALCHEMY_DATABASE_URI="sqlite://", SECRET_KEY=None)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app("production", SECRET_KEY="x" * 32, SQLALCHEMY_DATABASE_URI=None)


def test_production_sends_hsts_and_secure_cookies():
    from accelerator import create_app

    app = create_app("production", SECRET_KEY="x" * 32, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/healthz", base_url="https://localhost")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_form_fields_carry_no_empty_attributes(client):
    for path in ("/inscription/entreprise", "/inscription/enseignant", "/connexion"):
        html = client.get(path).get_data(as_text=True)
        assert '="None"' not in html and '="False"' not in html


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/users/99999999999999999999999",
        "/api/v1/audits/1/evidence/257775236251083564122112",
        "/api/v1/training/sessions/9845393539886493990912",
        "/api/v1/frameworks/99999999999999999999",
    ],
)
def test_ids_beyond_the_database_range_answer_404(api, path):
    response = api.get(path.removeprefix("/api/v1"), user=make_user(Role.manager))
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


def test_ids_beyond_the_database_range_in_a_body_answer_422(api):
    company = make_user(Role.company)
    response = api.post("/audits", user=company, json={"solution_id": 10**30})
    assert response.status_code == 422
    assert "solution_id" in response.json["errors"]
