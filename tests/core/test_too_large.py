"""A file over the limit: the browser refuses it on the form (the field carries the limit);
without JavaScript the server reads a page form's body (up to FORM_MAX_CONTENT_LENGTH) and
gives the form back filled in, the error on the file field; a body beyond even that gets
the limit in words and a way back, never a bare 413."""

from __future__ import annotations

import io
from contextlib import contextmanager

from accelerator.accounts.models import Role
from accelerator.extensions import db
from tests.audits.factories import make_framework_version, make_solution
from tests.factories import PASSWORD, make_user


def _too_big(app) -> bytes:
    return b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)


@contextmanager
def _small_limits(app):
    """The limits' logic at a test's scale: 2 MB for the API, 3 MB for a page form."""
    saved = app.config["MAX_CONTENT_LENGTH"], app.config["FORM_MAX_CONTENT_LENGTH"]
    app.config.update(MAX_CONTENT_LENGTH=2 * 1024 * 1024, FORM_MAX_CONTENT_LENGTH=3 * 1024 * 1024)
    try:
        yield
    finally:
        app.config.update(MAX_CONTENT_LENGTH=saved[0], FORM_MAX_CONTENT_LENGTH=saved[1])


def test_without_javascript_a_file_over_the_limit_comes_back_on_the_filled_form(client, app):
    """A logo whose body is over the API's limit: the form is read all the same, nothing is
    created, and the page shows the form with what was typed and the error on the logo."""
    from accelerator.audits.models import Solution

    make_framework_version()
    company = make_user(Role.company)
    db.session.commit()
    client.post("/connexion", data={"email": company.email, "password": PASSWORD})
    with _small_limits(app):
        logo = b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024 + 10)
        response = client.post(
            "/mes-solutions/nouvelle",
            data={
                "name": "Lectorama",
                "summary": "Des textes lus à voix haute",
                "pricing": "free",
                "logo": (io.BytesIO(logo), "logo.png"),
            },
            content_type="multipart/form-data",
        )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Lectorama"' in page and "Des textes lus à voix haute" in page
    messages = page.split('id="logo-messages"', 1)[1].split("</div>", 1)[0]
    assert "Ce fichier dépasse 1 Mo" in messages
    assert 'id="error-summary"' in page
    assert db.session.query(Solution).filter_by(name="Lectorama").count() == 0


def test_the_api_still_refuses_a_body_over_its_limit_unread(client, app):
    with _small_limits(app):
        response = client.post(
            "/api/v1/audits/1/evidence",
            data={"file": (io.BytesIO(b"x" * (2 * 1024 * 1024 + 1)), "f.pdf")},
            content_type="multipart/form-data",
        )
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"


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


def test_a_page_upload_over_the_form_ceiling_says_the_limit_and_leads_back(client, app):
    company = make_user(Role.company)
    client.post("/connexion", data={"email": company.email, "password": PASSWORD})
    with _small_limits(app):
        response = client.post(
            "/mes-solutions/nouvelle",
            data={"logo": (io.BytesIO(b"x" * (3 * 1024 * 1024 + 1)), "logo.png")},
            content_type="multipart/form-data",
            headers={"Referer": "http://localhost/mes-solutions/nouvelle"},
        )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "3 Mo" in page and 'href="/mes-solutions/nouvelle"' in page


def test_a_foreign_referrer_is_not_a_way_back(client, app):
    with _small_limits(app):
        response = client.post(
            "/connexion",
            data={"f": (io.BytesIO(b"x" * (3 * 1024 * 1024 + 1)), "f.bin")},
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
