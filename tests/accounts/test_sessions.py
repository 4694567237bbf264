"""Sessions end on the server: a copied session cookie or remember cookie stops working once
its owner signs out (that session), resets the password or signs out everywhere (all)."""

from __future__ import annotations

import pytest

from accelerator.accounts.models import Role, UserSession
from accelerator.accounts.operations import make_reset_token, purge_expired_sessions
from accelerator.core.db import utcnow
from accelerator.extensions import db
from tests.factories import PASSWORD, make_user

SESSION = "session"
REMEMBER = "remember_token"


def _sign_in(client, user, remember=False):
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/connexion", data=data).status_code == 302


def _with_cookie(app, name, value):
    """A new browser holding only a copy of one cookie."""
    other = app.test_client()
    other.set_cookie(name, value)
    return other


def _signed_in(client) -> bool:
    return client.get("/mon-compte").status_code == 200


def _end_by_logout(client, user):
    client.post("/deconnexion")


def _end_by_reset(client, user):
    response = client.post(
        f"/mot-de-passe/{make_reset_token(user)}",
        data={"password": "a brand new passphrase", "password_confirm": "a brand new passphrase"},
    )
    assert response.status_code == 302


def _end_everywhere(client, user):
    assert client.post("/mon-compte/deconnexion-partout").status_code == 302


ENDINGS = {"logout": _end_by_logout, "reset": _end_by_reset, "everywhere": _end_everywhere}


@pytest.mark.parametrize("ending", ENDINGS)
@pytest.mark.parametrize("cookie", [SESSION, REMEMBER])
def test_a_copied_cookie_stops_working(app, client, ending, cookie):
    user = make_user(Role.company, email="a@exemple.fr")
    _sign_in(client, user, remember=True)
    copy = client.get_cookie(cookie).value
    assert _signed_in(_with_cookie(app, cookie, copy))
    ENDINGS[ending](client, user)
    assert not _signed_in(_with_cookie(app, cookie, copy))


@pytest.mark.parametrize(
    ("ending", "other_survives"), [("logout", True), ("everywhere", False), ("reset", False)]
)
def test_logout_ends_this_session_and_the_others_end_them_all(app, client, ending, other_survives):
    user = make_user(Role.company, email="a@exemple.fr")
    laptop, phone = client, app.test_client()
    _sign_in(laptop, user)
    _sign_in(phone, user, remember=True)
    ENDINGS[ending](laptop, user)
    assert not _signed_in(laptop)
    assert _signed_in(phone) is other_survives


def test_signing_out_everywhere_revokes_api_tokens(client, api, login_as):
    user = make_user(Role.company, email="a@exemple.fr")
    headers = api.headers_for(user)
    login_as(user)
    client.post("/mon-compte/deconnexion-partout")
    assert api.get("/me", headers=headers).status_code == 401


def test_the_account_page_offers_to_sign_out_everywhere(client, login_as):
    login_as(make_user(Role.teacher))
    page = client.get("/mon-compte").get_data(as_text=True)
    assert 'action="/mon-compte/deconnexion-partout"' in page and 'method="post"' in page


def test_an_expired_session_signs_nobody_in(app, client):
    user = make_user(Role.company, email="a@exemple.fr")
    _sign_in(client, user)
    db.session.execute(db.update(UserSession).values(expires_at=utcnow()))
    db.session.commit()
    assert not _signed_in(client)


@pytest.mark.parametrize("forged", ["1", "1:", ":abc", "x:y", "99999999999999999999:k", ""])
def test_a_forged_session_id_signs_nobody_in(app, client, forged):
    make_user(Role.company, email="a@exemple.fr")
    with client.session_transaction() as session:
        session["_user_id"] = forged
        session["_fresh"] = True
    assert not _signed_in(client)


def test_ended_sessions_are_purged(client):
    user = make_user(Role.company, email="a@exemple.fr")
    _sign_in(client, user)
    _end_by_logout(client, user)
    _sign_in(client, user)
    assert purge_expired_sessions() == 1
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(UserSession.id))) == 1
    assert _signed_in(client)
