"""A language chosen before signing in or registering (``/langue/<code>``) is kept once signed
in, and becomes the account's stored language; without a choice, the stored one applies."""

from __future__ import annotations

from accelerator.accounts.models import Role
from tests.factories import PASSWORD, make_user


def _language(client, path: str = "/mon-compte") -> str:
    html = client.get(path).get_data(as_text=True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def _sign_in(client, user):
    response = client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def _sign_out(client):
    client.post("/deconnexion")


def test_the_language_chosen_before_signing_in_is_kept(client):
    user = make_user(Role.teacher, locale="fr")
    client.get("/langue/en")
    _sign_in(client, user)
    assert _language(client) == "en"


def test_the_chosen_language_becomes_the_accounts_language(client):
    user = make_user(Role.trainer, locale="fr")
    client.get("/langue/en")
    _sign_in(client, user)
    _sign_out(client)
    assert _language(client, "/connexion") == "fr"  # signed out: French first again
    _sign_in(client, user)  # no choice this time: the stored language, now English
    assert _language(client) == "en"


def test_choosing_french_overrides_a_stored_english(client):
    user = make_user(Role.company, locale="en")
    client.get("/langue/fr")
    _sign_in(client, user)
    assert _language(client) == "fr"
    _sign_out(client)
    _sign_in(client, user)
    assert _language(client) == "fr"


def test_without_a_choice_the_stored_language_applies(client):
    user = make_user(Role.teacher, locale="en")
    _sign_in(client, user)
    assert _language(client) == "en"


def test_the_language_chosen_before_registering_is_kept(client):
    client.get("/langue/en")
    response = client.post(
        "/inscription/enseignant",
        data={
            "full_name": "Camille Martin",
            "email": "camille.martin@ac-lyon.fr",
            "password": "un mot de passe solide",
            "password_confirm": "un mot de passe solide",
            "academy": "lyon",
            "uai": "0690026D",
            "discipline": "francais",
            "career_stage": "titulaire",
        },
    )
    assert response.status_code == 302
    assert _language(client) == "en"
    _sign_out(client)
    response = client.post(
        "/connexion",
        data={"email": "camille.martin@ac-lyon.fr", "password": "un mot de passe solide"},
    )
    assert response.status_code == 302
    assert _language(client) == "en"
