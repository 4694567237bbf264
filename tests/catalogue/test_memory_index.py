"""The catalogue's index in memory (``catalogue.memory_index``) answers what the SQL path
answers, stays fresh, and never lists an approval that lapsed behind its back."""

from __future__ import annotations

import re
import threading
import time
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from accelerator.audits.models import Pricing
from accelerator.catalogue import memory_index, queries
from accelerator.catalogue.queries import CatalogueQuery
from accelerator.extensions import db
from tests.catalogue.helpers import approve
from tests.conftest import IS_POSTGRESQL, _empty_tables
from tests.statements import statements_sent

#: made-up words, none the prefix of another nor found in the factories' texts; "quart"
#: is a prefix of "quartz" (a prefix query matches both)
WORDS = ("quartz", "zephyr", "mistral", "boreal", "quart")
SUBJECTS = ("francais", "mathematiques", "svt")
LEVEL_CODES = ("cycle1", "cycle3", "lycee-professionnel")
PRICINGS = tuple(p.value for p in Pricing)


def text_of(words: list[str]) -> str:
    return " ".join(["Activités", *words])


solutions_strategy = st.lists(
    st.fixed_dictionaries(
        {
            # words in the name, the summary and the description: bm25 weighs them apart
            "name": st.lists(st.sampled_from(WORDS), max_size=2),
            "summary": st.lists(st.sampled_from(WORDS), max_size=3),
            "description": st.lists(st.sampled_from(WORDS), max_size=6),
            "subjects": st.sets(st.sampled_from(SUBJECTS), min_size=1, max_size=2),
            "levels": st.sets(st.sampled_from(LEVEL_CODES), min_size=1, max_size=2),
            "pricing": st.sampled_from(PRICINGS),
            "gar": st.booleans(),
            "score": st.integers(55, 100),
            "days_ago": st.integers(1, 400),
            "lapsed": st.sampled_from((False, False, False, True)),
        }
    ),
    min_size=1,
    max_size=8,
)

searches_strategy = st.lists(
    st.builds(
        CatalogueQuery,
        q=st.sampled_from(("", "quartz", "quart", "zephyr boreal", "mistral quart", "math")),
        subjects=st.lists(st.sampled_from(SUBJECTS), max_size=2, unique=True).map(tuple),
        levels=st.lists(st.sampled_from(LEVEL_CODES), max_size=1).map(tuple),
        pricing=st.lists(st.sampled_from(PRICINGS), max_size=2, unique=True).map(tuple),
        gar=st.sampled_from((None, True, False)),
        min_score=st.sampled_from((None, 70.0)),
        domain_min=st.sampled_from(((), (("RGPD", 75.0),), (("NONE", 1.0),))),
        sort=st.sampled_from(("relevance", "score", "recent", "rating")),
        page=st.sampled_from((1, 1, 2)),
        per_page=st.sampled_from((3, 100)),
    ),
    min_size=1,
    max_size=5,
)


def build(solutions: list[dict]) -> None:
    for n, solution in enumerate(solutions):
        audit = approve(
            f"Outil {n} {' '.join(solution['name'])}",
            summary=text_of(solution["summary"]),
            description=text_of(solution["description"]),
            subjects=sorted(solution["subjects"]),
            levels=sorted(solution["levels"]),
            pricing=Pricing(solution["pricing"]),
            gar_compatible=solution["gar"],
            overall=float(solution["score"]),
            domain_scores={"RGPD": float(solution["score"] - 5)},
            decided_on=date.today() - timedelta(days=solution["days_ago"]),
        )
        if solution["lapsed"]:
            audit.valid_until = date.today() - timedelta(days=1)  # behind the index's back
            db.session.commit()


def both_ways(app, query: CatalogueQuery):
    """The search answered by the index, then by SQL."""
    state = queries.catalogue_state().fingerprint
    app.config["CATALOGUE_MEMORY_INDEX"] = True
    in_memory = queries.search_catalogue(query, state=state)
    app.config["CATALOGUE_MEMORY_INDEX"] = False
    try:
        by_sql = queries.search_catalogue(query, state=state)
    finally:
        app.config["CATALOGUE_MEMORY_INDEX"] = True
    return in_memory, by_sql


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(solutions_strategy, searches_strategy)
def test_the_index_answers_what_sql_answers(app, solutions, searches):
    """Same page in the same order, same total, same facet counts. PostgreSQL ranks by
    bm25 in memory and by ts_rank in SQL: there a search by relevance with words is
    compared whole, as a set."""
    _empty_tables()
    build(solutions)
    for query in searches:
        in_memory, by_sql = both_ways(app, query)
        assert in_memory.total == by_sql.total, query
        assert in_memory.facets == by_sql.facets, query
        ids = [row.id for row in in_memory.entries]
        expected = [row.id for row in by_sql.entries]
        if IS_POSTGRESQL and query.sort == "relevance" and query.q:
            whole = CatalogueQuery(**{**query.__dict__, "page": 1, "per_page": 100})
            in_memory, by_sql = both_ways(app, whole)
            assert {r.id for r in in_memory.entries} == {r.id for r in by_sql.entries}, query
        else:
            assert ids == expected, query


def ranks(snapshot, words: list[str], match: str) -> tuple[dict, dict]:
    """Entry id → rank of the documents matching ``words``: the index's, and FTS5's for
    the same query (``match``)."""
    matched, rank = memory_index._text_match(snapshot, words)
    ours = {int(snapshot.ids[s]): float(rank[s]) for s in matched.nonzero()[0]}
    theirs = dict(
        db.session.execute(
            text(
                "SELECT rowid, -bm25(catalogue_fts, 10.0, 4.0, 4.0, 1.0, 2.0) "
                "FROM catalogue_fts WHERE catalogue_fts MATCH :q"
            ),
            {"q": match},
        ).all()
    )
    return ours, theirs


@pytest.mark.skipif(IS_POSTGRESQL, reason="FTS5's bm25 is SQLite's")
def test_the_rank_is_fts5_bm25_to_the_bit(app):
    approve("Quartz", summary="Le quartz en classe.", description="quartz " * 5)
    approve("Atelier", summary="Minéraux.", description="Le quartz et le mica.")
    approve("Mica", summary="Le quartzite aussi.", description="Rien d'autre.")
    approve("Zephyr quartz", summary="Vent.", description="zephyr zephyr quartz.")
    snapshot = memory_index.build("test")
    for words, match in ((["quartz"], '"quartz"*'), (["quartz", "zephyr"], '"quartz"* "zephyr"*')):
        ours, theirs = ranks(snapshot, words, match)
        assert ours == theirs  # equal floats, not close ones
    assert len(ours) == 1


@pytest.fixture
def kept_index(app, monkeypatch):
    """Snapshots kept for an hour (tests otherwise build one per search), built inline."""
    monkeypatch.setitem(app.config, "CATALOGUE_INDEX_MAX_AGE", 3600)
    monkeypatch.setitem(app.config, "CATALOGUE_INDEX_BACKGROUND", False)
    memory_index.drop()  # none of an earlier test's catalogue


def search(q: str):
    return queries.search_catalogue(
        CatalogueQuery(q=q), state=queries.catalogue_state().fingerprint
    )


def test_a_new_approval_is_found_by_the_next_search(kept_index):
    approve("Quartz un")
    assert search("quartz").total == 1
    approve("Quartz deux")
    assert sorted(row.name for row in search("quartz").entries) == ["Quartz deux", "Quartz un"]


def test_an_approval_lapsed_behind_the_index_is_never_listed(kept_index):
    """The snapshot still holds the old validity; the page's rows are read in force, so
    the lapsed approval is not shown, and that search is counted again by SQL."""
    approve("Quartz gardé")
    lapsing = approve("Quartz perdu")
    state = queries.catalogue_state().fingerprint
    assert search("quartz").total == 2
    lapsing.valid_until = date.today() - timedelta(days=1)  # no status change
    db.session.commit()
    assert queries.catalogue_state().fingerprint == state  # the snapshot is not rebuilt
    result = search("quartz")
    assert [row.name for row in result.entries] == ["Quartz gardé"]
    assert result.total == 1
    assert result.facets["pricing"] == {"free": 1}


def test_a_changed_catalogue_is_read_again_while_the_searches_go_on(app, kept_index, monkeypatch):
    """With background builds (production), searches never wait for one: before the
    first snapshot SQL answers them, and when the catalogue changes the snapshot at hand
    does until the thread has read the new one."""
    monkeypatch.setitem(app.config, "CATALOGUE_INDEX_BACKGROUND", True)
    # The thread reads once the search is over: the tests' SQLite in memory is one
    # connection that every thread shares (in production each has its own).
    search_over, build = threading.Event(), memory_index.build
    monkeypatch.setattr(memory_index, "build", lambda key: search_over.wait(10) and build(key))

    def built() -> None:
        search_over.set()
        deadline = time.monotonic() + 30
        while memory_index._rebuilding and time.monotonic() < deadline:
            time.sleep(0.01)
        search_over.clear()

    approve("Quartz un")
    assert search("quartz").total == 1  # by SQL
    assert memory_index._snapshots == {}
    built()
    assert len(memory_index._snapshots) == 1
    approve("Quartz deux")
    assert search("quartz").total == 1  # the former snapshot, the thread under way
    built()
    assert search("quartz").total == 2


@pytest.mark.parametrize("path", ["/catalogue?q=quartz", "/api/v1/catalogue?min_RGPD=70"])
def test_a_cold_search_with_the_index_reads_the_state_then_its_page(
    app, client, kept_index, monkeypatch, path
):
    """Caches off, the index built: the catalogue's state and domains, then the page's rows
    (the total and facet counts come from memory)."""
    approve("Quartz", domain_scores={"RGPD": 90.0})
    monkeypatch.setitem(app.config, "CATALOGUE_CACHE_SIZE", 0)
    client.get(path)  # builds the snapshot
    with statements_sent("SELECT", "WITH") as reads:
        response = client.get(path)
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("Quartz") >= 1
    assert len(reads) == 2, reads


@pytest.mark.skipif(IS_POSTGRESQL, reason="FTS5's tokens are SQLite's")
def test_a_row_split_otherwise_than_fts5_is_read_from_fts5(app, monkeypatch):
    """Each row's token counts are checked against FTS5's record of them: where the
    splitting here disagrees (here made to drop digits), the row's tokens are FTS5's."""
    approve("Quartz 3", summary="Le quartz 3 et le zephyr.", description="quartz x2 3")
    approve("Zephyr", summary="Vent.", description="zephyr quartz")
    monkeypatch.setattr(memory_index, "_TOKEN", re.compile(r"[a-z]+"))
    snapshot = memory_index.build("test")
    for words, match in ((["3"], '"3"*'), (["quartz"], '"quartz"*'), (["x2"], '"x2"*')):
        ours, theirs = ranks(snapshot, words, match)
        assert ours == theirs, words
        assert ours
