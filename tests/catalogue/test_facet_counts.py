"""The facet counts and totals equal a naive recount, on random catalogues (hypothesis).

Each example builds a few approved solutions with random words, subjects, levels, pricing,
GAR compatibility and scores (some approvals lapse without the index being refreshed), then
runs random searches through the API and recounts, from the solutions as they were built,
which ones each search and each facet value should count.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accelerator.audits.models import Pricing
from accelerator.catalogue.models import (
    FACET_WORDS,
    LANE_BITS,
    LANES_PER_WORD,
    LEVEL_BITS,
    SUBJECT_BITS,
    CatalogueEntry,
)
from accelerator.core.reference import DISCIPLINES, LEVELS
from accelerator.extensions import db
from tests.catalogue.helpers import approve
from tests.conftest import _empty_tables

#: made-up words, none the prefix of another nor found in the factories' texts
WORDS = ("quartz", "zephyr", "mistral", "boreal")
SUBJECTS = ("francais", "mathematiques", "svt", "pluridisciplinaire")
LEVEL_CODES = ("cycle1", "cycle3", "lycee-professionnel", "superieur")
PRICINGS = tuple(p.value for p in Pricing)

solutions_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "words": st.sets(st.sampled_from(WORDS), max_size=2),
            "subjects": st.sets(st.sampled_from(SUBJECTS), min_size=1, max_size=3),
            "levels": st.sets(st.sampled_from(LEVEL_CODES), min_size=1, max_size=2),
            "pricing": st.sampled_from(PRICINGS),
            "gar": st.booleans(),
            "score": st.integers(55, 100),
            "lapsed": st.sampled_from((False, False, False, True)),
        }
    ),
    min_size=1,
    max_size=7,
)

searches_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "q": st.sampled_from(("",) + WORDS),
            "subject": st.sets(st.sampled_from(SUBJECTS), max_size=2),
            "level": st.sets(st.sampled_from(LEVEL_CODES), max_size=2),
            "pricing": st.sets(st.sampled_from(PRICINGS), max_size=2),
            "gar": st.sampled_from((None, True, False)),
            "min_score": st.sampled_from((None, 70, 90)),
        }
    ),
    min_size=1,
    max_size=4,
)


def build(solutions: list[dict]) -> list[dict]:
    """Approve each solution; lapse some approvals behind the index's back."""
    for n, solution in enumerate(solutions):
        audit = approve(
            f"Outil {n}",
            summary="Pour la classe.",
            description=" ".join(["Activités", *sorted(solution["words"])]),
            subjects=sorted(solution["subjects"]),
            levels=sorted(solution["levels"]),
            pricing=Pricing(solution["pricing"]),
            gar_compatible=solution["gar"],
            overall=float(solution["score"]),
        )
        solution["slug"] = audit.solution.slug
        if solution["lapsed"]:
            audit.valid_until = date.today() - timedelta(days=1)  # no refresh of the index
            db.session.commit()
    return solutions


def recount(solutions: list[dict], search: dict) -> tuple[set[str], dict]:
    """The slugs a search should list and its facet counts, from the built solutions."""
    tests = {
        "subject": lambda s: not search["subject"] or bool(s["subjects"] & search["subject"]),
        "level": lambda s: not search["level"] or bool(s["levels"] & search["level"]),
        "pricing": lambda s: not search["pricing"] or s["pricing"] in search["pricing"],
        "gar": lambda s: search["gar"] is None or s["gar"] is search["gar"],
    }
    base = [
        s
        for s in solutions
        if not s["lapsed"]
        and (not search["q"] or search["q"] in s["words"])
        and (search["min_score"] is None or s["score"] >= search["min_score"])
    ]

    def passing(skip: str | None) -> list[dict]:
        return [s for s in base if all(test(s) for name, test in tests.items() if name != skip)]

    facets: dict[str, dict[str, int]] = {"subject": {}, "level": {}, "pricing": {}, "gar": {}}
    for s in passing("subject"):
        for code in s["subjects"]:
            facets["subject"][code] = facets["subject"].get(code, 0) + 1
    for s in passing("level"):
        for code in s["levels"]:
            facets["level"][code] = facets["level"].get(code, 0) + 1
    for s in passing("pricing"):
        facets["pricing"][s["pricing"]] = facets["pricing"].get(s["pricing"], 0) + 1
    for s in passing("gar"):
        key = "true" if s["gar"] else "false"
        facets["gar"][key] = facets["gar"].get(key, 0) + 1
    return {s["slug"] for s in passing(None)}, facets


def query_string(search: dict) -> list[tuple[str, str]]:
    pairs = [("q", search["q"]), ("per_page", "100"), ("sort", "score")]
    for name in ("subject", "level", "pricing"):
        pairs += [(name, value) for value in sorted(search[name])]
    if search["gar"] is not None:
        pairs.append(("gar", "true" if search["gar"] else "false"))
    if search["min_score"] is not None:
        pairs.append(("min_score", str(search["min_score"])))
    return pairs


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(solutions_strategy, searches_strategy)
def test_facets_and_totals_equal_a_recount(api, solutions, searches):
    _empty_tables()
    solutions = build(solutions)
    scores = {s["slug"]: s["score"] for s in solutions}
    for search in searches:
        response = api.get("/catalogue", query_string=query_string(search))
        assert response.status_code == 200, response.json
        listed, facets = recount(solutions, search)
        body = response.json
        assert body["total"] == len(listed), search
        assert body["facets"] == facets, search
        slugs = [item["slug"] for item in body["items"]]
        assert set(slugs) == listed, search
        assert [scores[slug] for slug in slugs] == sorted(
            (scores[slug] for slug in slugs), reverse=True
        )


def test_every_subject_and_level_has_a_bit_of_its_own():
    assert set(DISCIPLINES) <= set(SUBJECT_BITS)
    assert set(LEVELS) <= set(LEVEL_BITS)
    assert len(set(SUBJECT_BITS)) == len(SUBJECT_BITS) <= 31
    assert len(set(LEVEL_BITS)) == len(LEVEL_BITS) <= 31


def test_every_facet_value_has_a_counter_of_its_own_in_the_entry():
    """Each subject, level, pricing and GAR answer is one lane of one facet word, and a
    word mixes no two facets (each is summed under its own facet's condition)."""
    lanes = [(facet, value) for facet, values in FACET_WORDS for value in values]
    assert len(lanes) == len(set(lanes))
    assert {value for facet, value in lanes if facet == "subject"} == set(SUBJECT_BITS)
    assert {value for facet, value in lanes if facet == "level"} == set(LEVEL_BITS)
    assert {value for facet, value in lanes if facet == "pricing"} == set(PRICINGS)
    assert {value for facet, value in lanes if facet == "gar"} == {"true", "false"}
    assert all(len(values) <= LANES_PER_WORD for _, values in FACET_WORDS)
    assert LANES_PER_WORD * LANE_BITS <= 63  # a sum stays a signed 64-bit integer
    columns = {c.name for c in CatalogueEntry.__table__.columns}
    assert {f"facet_word_{n}" for n in range(len(FACET_WORDS))} <= columns
