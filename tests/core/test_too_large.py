"""A file over the limit: the browser refuses it on the form (the field carries the limit);
a body over the server's limit gets the limit in words and a way back, never a bare 413."""

from __future__ import annotations

import io

from accelerator.accounts.models import Role
from accelerator.extensions import db
from tests.audits.factories import make_framework_version, make_solution
from tests.factories import PASSWORD, make_user


def _too_big(app) -> bytes:
    return b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)


def test_file_fields_carry_their_limit_for_the_browser(client, app):
    make_framework_version()
    company = make_user(Role.company)
    solution = make_solution(company.organization)
    db.session.commit()  # the request reads it from another connection on PostgreSQL
    client.post("/connexion", data={"email": company.email, "password": PASSWORD})
    form = client.get(f"/mes-solutions/{solution.id}/modifier").get_data(as_text=True)
    assert f'data-max-bytes="{1024 * 1024}"' in form
    assert "Ce fichier dépasse 1 Mo" in form
    assert "js/file-limit.js" in form


def test_a_page_upload_over_the_limit_says_the_limit_and_leads_back(client, app):
    company = make_user(Role.company)
    client.post("/connexion", data={"email": company.email, "password": PASSWORD})
    response = client.post(
        "/mes-solutions/nouvelle",
        data={"logo": (io.BytesIO(_too_big(app)), "logo.png")},
        content_type="multipart/form-data",
        headers={"Referer": "http://localhost/mes-solutions/nouvelle"},
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "21 Mo" in page and 'href="/mes-solutions/nouvelle"' in page


def test_a_foreign_referrer_is_not_a_way_back(client, app):
    response = client.post(
        "/connexion",
        data={"f": (io.BytesIO(_too_big(app)), "f.bin")},
        content_type="multipart/form-data",
        headers={"Referer": "https://evil.example/phish"},
    )
    assert response.status_code == 413
    assert "evil.example" not in response.get_data(as_text=True)


def test_the_api_says_the_limit_in_problem_json(client, app):
    response = client.post(
        "/api/v1/audits/1/evidence",
        data={"file": (io.BytesIO(_too_big(app)), "f.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"
    assert "21" in response.json["detail"]
