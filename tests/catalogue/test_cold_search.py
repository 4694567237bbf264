"""A search with every catalogue cache off (``CATALOGUE_CACHE_SIZE=0``, the benchmark's
cold case) answers what the cached path answers, in three statements."""

from __future__ import annotations

import pytest

from tests.catalogue.helpers import approve
from tests.statements import statements_sent

SEARCHES = [
    "/catalogue",
    "/catalogue?q=cartes&min_RGPD=80",
    "/catalogue?min_ASTRO=50",
    "/api/v1/catalogue?sort=score",
    "/api/v1/catalogue?q=cartes&min_PEDA=60",
    "/api/v1/catalogue?min_ASTRO=50",
]


@pytest.fixture
def catalogue(app):
    approve("Cartes Vives", domain_scores={"RGPD": 90.0, "PEDA": 70.0})
    approve("Cartes Mortes", domain_scores={"RGPD": 60.0, "PEDA": 50.0})


@pytest.mark.parametrize("path", SEARCHES)
def test_caches_off_answer_what_caches_on_answer(app, client, catalogue, monkeypatch, path):
    cached = client.get(path)
    monkeypatch.setitem(app.config, "CATALOGUE_CACHE_SIZE", 0)
    cold = client.get(path)
    assert cold.status_code == cached.status_code
    assert cold.data == cached.data
    assert cold.headers.get("ETag") == cached.headers.get("ETag")


@pytest.mark.parametrize("path", ["/catalogue?q=cartes", "/api/v1/catalogue?min_RGPD=70"])
def test_a_cold_search_by_sql_reads_the_state_and_domains_then_facets_then_its_page(
    app, client, catalogue, monkeypatch, path
):
    """Without the index in memory (``test_memory_index`` counts the statements with it)."""
    monkeypatch.setitem(app.config, "CATALOGUE_CACHE_SIZE", 0)
    monkeypatch.setitem(app.config, "CATALOGUE_MEMORY_INDEX", False)
    with statements_sent("SELECT", "WITH") as reads:
        client.get(path)
    assert len(reads) == 3, reads


def test_a_cold_search_of_an_empty_catalogue_knows_no_domain(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CATALOGUE_CACHE_SIZE", 0)
    assert client.get("/catalogue?min_RGPD=50").status_code == 422
    assert client.get("/api/v1/catalogue").json["total"] == 0
