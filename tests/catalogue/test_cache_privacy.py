"""Nothing meant for one visitor is kept for others: a flash message waiting for an
anonymous visitor never reaches the shared catalogue cache, and signed-in pages and token
answers tell every cache not to store them."""

from __future__ import annotations

import pytest

from accelerator.accounts.models import Role
from tests.catalogue.helpers import approve
from tests.factories import PASSWORD, make_user

FLASH = "Veuillez vous connecter pour accéder à cette page."


@pytest.fixture
def approved(app):
    return approve("Cache Malin")


@pytest.mark.parametrize("path", ["/catalogue", "/catalogue/cache-malin"])
def test_an_anonymous_flash_is_not_served_to_another_visitor(app, client, approved, path):
    assert client.get("/mon-compte").status_code == 302  # leaves a flash in this session
    mine = client.get(path)
    assert FLASH in mine.get_data(as_text=True)
    assert not mine.cache_control.public and mine.cache_control.no_store
    other = app.test_client()
    theirs = other.get(path)
    assert theirs.status_code == 200
    assert FLASH not in theirs.get_data(as_text=True)
    assert theirs.cache_control.public  # the plain page stays shareable


@pytest.mark.parametrize("path", ["/mon-compte", "/catalogue", "/formations", "/"])
def test_signed_in_pages_are_not_stored(client, login_as, approved, path):
    login_as(make_user(Role.teacher))
    response = client.get(path)
    assert response.status_code == 200
    assert response.cache_control.no_store and not response.cache_control.public


def test_token_answers_and_token_authenticated_reads_are_not_stored(api):
    user = make_user(Role.teacher, email="t@ac-paris.fr")
    issued = api.post("/auth/token", json={"email": user.email, "password": PASSWORD})
    assert issued.status_code == 201 and issued.cache_control.no_store
    me = api.get("/me", headers={"Authorization": f"Bearer {issued.json['token']}"})
    assert me.status_code == 200 and me.cache_control.no_store


def test_anonymous_public_pages_stay_cacheable(client, approved):
    response = client.get("/catalogue")
    assert response.cache_control.public and not response.cache_control.no_store
