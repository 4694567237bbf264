"""Mon compte is editable by every role: the name, the password (the current one proven,
the house's rules, the other sessions and API tokens ended, this one kept) and the
language, each a POST; bad input shows French messages on the form and changes nothing."""

from __future__ import annotations

import pytest

from accelerator.accounts.models import Role, User
from accelerator.accounts.operations import authenticate
from accelerator.extensions import db
from tests.factories import PASSWORD, make_user

NEW = "une toute nouvelle phrase de passe"


def _reload(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def _signs_in(email: str, password: str) -> bool:
    db.session.expire_all()
    return authenticate(email, password) is not None


@pytest.mark.parametrize("role", list(Role))
def test_every_role_finds_the_three_forms(client, login_as, role):
    login_as(make_user(role))
    html = client.get("/mon-compte").get_data(as_text=True)
    for action in ("/mon-compte/nom", "/mon-compte/mot-de-passe", "/mon-compte/langue"):
        assert f'action="{action}"' in html
    for field in ("full_name", "current_password", "password", "password_confirm", "language"):
        assert f'<label class="fr-label" for="{field}">' in html
    assert 'autocomplete="current-password"' in html and 'autocomplete="new-password"' in html


@pytest.mark.parametrize("role", [Role.company, Role.expert, Role.teacher])
def test_the_name_changes(client, login_as, role):
    user = login_as(make_user(role))
    response = client.post("/mon-compte/nom", data={"full_name": "  Zoé Dupré  "})
    assert response.headers["Location"] == "/mon-compte"
    assert _reload(user).full_name == "Zoé Dupré"
    assert "Votre nom est enregistré." in client.get("/mon-compte").get_data(as_text=True)


@pytest.mark.parametrize(("name", "message"), [("", "Ce champ est obligatoire."), ("x" * 201, "")])
def test_a_bad_name_is_refused_on_the_form(client, login_as, name, message):
    user = login_as(make_user(Role.trainer, full_name="Nom Initial"))
    response = client.post("/mon-compte/nom", data={"full_name": name})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Le formulaire contient des erreurs" in html and message in html
    assert 'aria-invalid="true"' in html
    assert _reload(user).full_name == "Nom Initial"


def test_a_get_changes_nothing(client, login_as):
    login_as(make_user(Role.teacher))
    for path in ("/mon-compte/nom", "/mon-compte/mot-de-passe", "/mon-compte/langue"):
        assert client.get(path + "?full_name=x&language=en").status_code == 405


def test_the_password_changes_with_the_current_one(client, login_as, outbox):
    user = login_as(make_user(Role.manager))
    response = client.post(
        "/mon-compte/mot-de-passe",
        data={"current_password": PASSWORD, "password": NEW, "password_confirm": NEW},
    )
    assert response.headers["Location"] == "/mon-compte"
    assert _signs_in(user.email, NEW) and not _signs_in(user.email, PASSWORD)
    assert client.get("/mon-compte").status_code == 200  # this session goes on
    assert outbox[-1]["To"] == user.email
    assert "mot de passe" in outbox[-1]["Subject"].lower()


def test_other_devices_and_api_tokens_are_signed_out(app, client, login_as, api):
    user = login_as(make_user(Role.company))
    other_device = app.test_client()
    assert (
        other_device.post(
            "/connexion", data={"email": user.email, "password": PASSWORD}
        ).status_code
        == 302
    )
    token_headers = api.headers_for(user)
    assert client.get("/api/v1/me", headers=token_headers).status_code == 200
    client.post(
        "/mon-compte/mot-de-passe",
        data={"current_password": PASSWORD, "password": NEW, "password_confirm": NEW},
    )
    assert other_device.get("/mon-compte").status_code == 302  # sent to the sign-in page
    assert client.get("/api/v1/me", headers=token_headers).status_code == 401
    assert client.get("/mon-compte").status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"current_password": "pas le bon mot", "password": NEW, "password_confirm": NEW},
            "current_password",
            "Votre mot de passe actuel n&#39;est pas celui-ci.",
        ),
        (
            {"current_password": PASSWORD, "password": "court", "password_confirm": "court"},
            "password",
            "Le mot de passe doit comporter au moins 12 caractères.",
        ),
        (
            {"current_password": PASSWORD, "password": NEW, "password_confirm": NEW + "!"},
            "password_confirm",
            "Les deux mots de passe diffèrent.",
        ),
        (
            {"current_password": PASSWORD, "password": PASSWORD, "password_confirm": PASSWORD},
            "password",
            "Choisissez un mot de passe différent de l&#39;actuel.",
        ),
        (
            {"current_password": "", "password": NEW, "password_confirm": NEW},
            "current_password",
            "Ce champ est obligatoire.",
        ),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(
    client, login_as, data, field, message
):
    user = login_as(make_user(Role.expert))
    response = client.post("/mon-compte/mot-de-passe", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f'href="#{field}"' in html  # the error summary leads to the field
    assert _signs_in(user.email, PASSWORD)
    assert 'value="' + PASSWORD not in html  # passwords are never sent back


def test_guessing_the_current_password_is_limited_as_sign_ins_are(app, client, login_as):
    login_as(make_user(Role.teacher))
    statuses = [
        client.post(
            "/mon-compte/mot-de-passe",
            data={"current_password": f"essai {n}", "password": NEW, "password_confirm": NEW},
        ).status_code
        for n in range(12)
    ]
    assert statuses[0] == 422 and statuses[-1] == 429


def test_the_language_is_stored_with_a_post(client, login_as):
    user = login_as(make_user(Role.admin))
    response = client.post("/mon-compte/langue", data={"language": "en"})
    assert response.headers["Location"] == "/mon-compte"
    assert _reload(user).locale == "en"
    assert '<html lang="en"' in client.get("/mon-compte").get_data(as_text=True)


def test_an_unknown_language_is_refused_on_the_form(client, login_as):
    user = login_as(make_user(Role.teacher))
    response = client.post("/mon-compte/langue", data={"language": "xx"})
    assert response.status_code == 422
    assert "Le formulaire contient des erreurs" in response.get_data(as_text=True)
    assert _reload(user).locale != "xx"
