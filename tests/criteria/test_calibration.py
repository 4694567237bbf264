"""The decision rule of the cadre de confiance 2026.2, on the shipped file.

The cases measured on 2026.1 (issue 12) and what 2026.2 must now say about them:
- "Satisfait" (level 2) everywhere is approvable without conditions;
- no pedagogical value (PEDA all 0) or no accessibility (ACC all 0) is rejected, whatever the
  rest: a domain below its floor rejects like an eliminatory criterion;
- a practice the AI Act prohibits (emotion recognition of pupils) is rejected;
- the AI domain counts only for a solution that declares AI.
"""

from __future__ import annotations

import re

import pytest

from accelerator.criteria import document as documents
from accelerator.criteria import operations
from accelerator.criteria.scoring import FrameworkSpec, score
from accelerator.criteria.scoring import spec_of as _spec_of

EVERYTHING = {"processes_personal_data": True, "gar_compatible": True, "paid": True}
WITH_AI = {**EVERYTHING, "uses_ai": True}


class _Doc:
    """A parsed document seen through the attributes spec_of reads."""

    def __init__(self, document: documents.FrameworkDocument):
        self.domains = document.domains
        self.thresholds = document.thresholds


def _spec(path) -> FrameworkSpec:
    return _spec_of(_Doc(documents.parse(path.read_text(encoding="utf-8"))))


V2 = _spec(operations.DEFAULT_FILE)
V1 = _spec(operations.PREVIOUS_FILES[0])


def _levels(spec: FrameworkSpec, default: int, **by_domain: int) -> dict[str, int]:
    return {
        criterion.code: by_domain.get(domain.code, default)
        for domain in spec.domains
        for criterion in domain.criteria
    }


def _with(levels: dict[str, int], **codes: int) -> dict[str, int]:
    return {**levels, **{code.replace("_", "-"): level for code, level in codes.items()}}


@pytest.mark.parametrize(
    ("case", "attributes", "levels", "recommendation", "floors", "eliminatory"),
    [
        ("Satisfait everywhere", EVERYTHING, _levels(V2, 2), "approve", [], []),
        ("Satisfait everywhere, with AI", WITH_AI, _levels(V2, 2), "approve", [], []),
        ("no pedagogical value", EVERYTHING, _levels(V2, 3, PEDA=0), "reject", ["PEDA"], []),
        ("no accessibility", EVERYTHING, _levels(V2, 3, ACC=0), "reject", ["ACC"], []),
        (
            "emotion recognition of pupils",
            WITH_AI,
            _with(_levels(V2, 3), IA_01=0),
            "reject",
            [],
            ["IA-01"],
        ),
        (
            "third-party trackers on pupils' pages",
            EVERYTHING,
            _with(_levels(V2, 3), SOUV_05=0),
            "reject",
            [],
            ["SOUV-05"],
        ),
        (
            "hosted in the EU by a provider subject to non-EU law",
            EVERYTHING,
            _with(_levels(V2, 3), SOUV_01=1),
            "reject",
            [],
            ["SOUV-01"],
        ),
        ("partly met everywhere", EVERYTHING, _levels(V2, 1), "reject", None, None),
        (
            "Satisfait everywhere but sobriety partly met",
            EVERYTHING,
            _levels(V2, 2, SOBRIETE=1),
            "approve_with_conditions",
            [],
            [],
        ),
    ],
)
def test_decision_rule_of_2026_2(case, attributes, levels, recommendation, floors, eliminatory):
    result = score(V2, attributes, levels)
    assert result.recommendation == recommendation, case
    if floors is not None:
        assert result.domain_floor_failures == floors
    if eliminatory is not None:
        assert result.eliminatory_failures == eliminatory


@pytest.mark.parametrize(
    ("case", "attributes", "levels", "overall", "recommendation"),
    [
        # The figures of the issue, measured on 2026.1, kept as they were.
        ("no pedagogical value", EVERYTHING, _levels(V1, 3, PEDA=0), 81.2, "approve"),
        ("no accessibility", EVERYTHING, _levels(V1, 3, ACC=0), 87.5, "approve"),
        ("ETHIQUE-04 at 0", EVERYTHING, _with(_levels(V1, 3), ETHIQUE_04=0), 97.5, "approve"),
        ("Satisfait everywhere", EVERYTHING, _levels(V1, 2), 66.7, "approve_with_conditions"),
    ],
)
def test_2026_1_still_scores_as_measured(case, attributes, levels, overall, recommendation):
    result = score(V1, attributes, levels)
    assert round(result.overall, 1) == overall, case
    assert result.recommendation == recommendation
    assert result.domain_floor_failures == []


def test_the_worked_examples_of_the_docstring():
    # PEDA all 0, the rest 3, no AI: 100 × (16 − 3) / 16 (domain weights sum to 16).
    no_pedagogy = score(V2, EVERYTHING, _levels(V2, 3, PEDA=0))
    assert round(no_pedagogy.overall, 2) == 81.25
    # Every domain at 2 but SOBRIETE (weight 1) at 1: (15 × 200/3 + 1 × 100/3) / 16.
    sobriety = score(V2, EVERYTHING, _levels(V2, 2, SOBRIETE=1))
    assert round(sobriety.overall, 1) == 64.6
    # IA-01 at 0 with AI declared: IA scores 100 × 14/17, overall (16 × 100 + 2 × that) / 18.
    emotions = score(V2, WITH_AI, _with(_levels(V2, 3), IA_01=0))
    assert round(emotions.overall, 1) == 98.0


def test_the_ai_domain_applies_only_when_ai_is_declared():
    without = score(V2, EVERYTHING, _levels(V2, 0, IA=0) | _levels(V2, 2, IA=0))
    assert without.domains["IA"] is None
    assert not any(code.startswith("IA-") for code in without.applicable)
    with_ai = score(V2, WITH_AI, _levels(V2, 2, IA=0))
    assert with_ai.domains["IA"] == 0
    assert with_ai.recommendation == "reject"
    assert "IA" in with_ai.domain_floor_failures


def test_pricing_matters_only_for_paid_solutions():
    free = score(V2, {**EVERYTHING, "paid": False}, _levels(V2, 2))
    paid = score(V2, EVERYTHING, _levels(V2, 2))
    assert "ETHIQUE-06" not in free.applicable
    assert "ETHIQUE-06" in paid.applicable


def test_each_level_states_one_condition():
    """One verifiable condition per level: a single sentence, no list of requirements joined
    by semicolons; a level above 1 adds its condition to the level below ("En plus du niveau")
    or states the stronger form of the same condition."""
    document = documents.parse(operations.DEFAULT_FILE.read_text(encoding="utf-8"))
    for criterion in document.criteria():
        for level in criterion.levels:
            text = level.descriptor
            assert len(re.findall(r"\.\s+[A-ZÀ-Ý]", text)) == 0, (criterion.code, level.value)
            assert ";" not in text, (criterion.code, level.value, text)
            assert len(text) <= 260, (criterion.code, level.value)
