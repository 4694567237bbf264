"""Public responses carry ETag and Cache-Control, and answer 304 when nothing changed."""

from __future__ import annotations

import pytest

from accelerator.accounts.models import Role
from accelerator.audits.states import AuditStatus
from accelerator.core.db import utcnow
from accelerator.extensions import db
from tests.catalogue.helpers import approve
from tests.factories import make_user


@pytest.fixture
def approved(app):
    return approve("Cache Malin")


@pytest.mark.parametrize(
    "path",
    [
        "/catalogue",
        "/catalogue?q=cache&subject=mathematiques",
        "/api/v1/catalogue",
        "/api/v1/catalogue?q=malin",
        "/catalogue/cache-malin",
        "/api/v1/catalogue/cache-malin",
        "/badges/cache-malin.svg",
    ],
)
def test_etag_and_304(client, approved, path):
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["ETag"]
    assert first.cache_control.public and first.cache_control.max_age == 60
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    other = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_verification_is_cacheable(client, approved):
    path = f"/api/v1/verify/{approved.verification_code}"
    first = client.get(path)
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("path", ["/catalogue", "/api/v1/catalogue"])
def test_a_change_changes_the_etag(client, approved, path):
    etag = client.get(path).headers["ETag"]
    approve("Nouvelle Venue")
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Nouvelle Venue" in response.get_data(as_text=True)


def test_an_unrefreshed_suspension_changes_the_etag(client, approved):
    etag = client.get("/api/v1/catalogue").headers["ETag"]
    approved.status = AuditStatus.suspended
    approved.status_changed_at = utcnow()
    db.session.commit()
    response = client.get("/api/v1/catalogue", headers={"If-None-Match": etag})
    assert response.status_code == 200 and response.json["total"] == 0


def test_the_etag_depends_on_the_query_and_language(client, approved):
    french = client.get("/catalogue")
    etags = {french.headers["ETag"], client.get("/catalogue?q=cache").headers["ETag"]}
    assert "Cookie" in french.headers["Vary"]
    client.get("/langue/en")
    etags.add(client.get("/catalogue").headers["ETag"])
    assert len(etags) == 3
    api = client.get("/api/v1/catalogue")
    english_api = client.get("/api/v1/catalogue", headers={"Accept-Language": "en"})
    assert "Accept-Language" in api.headers["Vary"]
    assert api.headers["ETag"] != english_api.headers["ETag"] or api.json == english_api.json


def test_signed_in_pages_are_private(client, login_as, approved):
    login_as(make_user(Role.teacher))
    response = client.get("/catalogue")
    assert response.status_code == 200
    assert response.cache_control.private and response.cache_control.no_store
    assert not response.cache_control.public


def test_errors_are_not_cached(client, approved):
    response = client.get("/api/v1/catalogue?gar=maybe")
    assert response.status_code == 422 and "ETag" not in response.headers


def test_anonymous_answers_are_kept_until_the_catalogue_changes(client, approved, monkeypatch):
    from accelerator.catalogue import queries

    first_page = client.get("/catalogue?q=cache")
    first_api = client.get("/api/v1/catalogue?q=cache")
    calls = []
    real_search = queries.search_catalogue

    def counting_search(*args, **kwargs):
        calls.append(1)
        return real_search(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(queries, "search_catalogue", counting_search)
        again_page = client.get("/catalogue?q=cache")
        again_api = client.get("/api/v1/catalogue?q=cache")
        assert calls == []  # both answered from the kept copies
        assert again_page.data == first_page.data and again_api.json == first_api.json
        assert again_page.headers["ETag"] == first_page.headers["ETag"]
        approve("Cache Second")  # the catalogue changes: the kept copies no longer apply
        fresh = client.get("/api/v1/catalogue?q=cache")
        assert calls == [1]
        assert {item["name"] for item in fresh.json["items"]} == {"Cache Malin", "Cache Second"}
