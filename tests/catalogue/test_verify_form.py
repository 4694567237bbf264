"""A code can be typed in a form, and is found however it was copied (spaces, case)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.catalogue.helpers import approve


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: code,
        lambda code: f"  {code} ",  # pasted with spaces around
        lambda code: f"{code[:8]} {code[8:]}",  # copied from paper in two groups
        lambda code: code.lower(),
        lambda code: code.upper(),
    ],
)
def test_a_genuine_code_is_genuine_however_it_is_typed(api, client, typed):
    audit = approve("Authentique")
    code = typed(audit.verification_code)
    body = api.get(f"/verify/{quote(code)}").json
    assert body["genuine"] is True and body["in_force"] is True
    assert client.get(f"/verify/{quote(code)}").status_code == 200


def test_a_code_that_matches_two_approvals_by_case_alone_is_not_guessed(api):
    from accelerator.extensions import db

    first, second = approve("Premiere"), approve("Seconde")
    first.verification_code, second.verification_code = "AbCdEfGhIjKlMnOp", "abcdefghijklmnop"
    db.session.commit()
    assert api.get("/verify/ABCDEFGHIJKLMNOP").status_code == 404
    assert api.get("/verify/AbCdEfGhIjKlMnOp").json["solution"]["name"] == "Premiere"


def test_the_form_sends_a_typed_code_to_its_page(client):
    assert client.get("/verify").status_code == 200
    html = client.get("/verify").get_data(as_text=True)
    assert 'name="code"' in html and "Vérifier un agrément" in html
    response = client.get("/verify", query_string={"code": "  ABCD EFGH  "})
    assert response.status_code == 302 and response.headers["Location"] == "/verify/ABCDEFGH"


@pytest.mark.parametrize("code", ["", "   ", "x" * 40])
def test_the_form_refuses_what_cannot_be_a_code_with_a_message(client, code):
    response = client.get("/verify", query_string={"code": code})
    assert response.status_code == 422
    assert "Saisissez le code de vérification" in response.get_data(as_text=True)
