"""The scoring engine: a pure function of a framework version, a solution and levels.

Rules
-----
- Levels go from 0 (not met) to 3 (fully met). A criterion *applies* when it has no
  ``applies_if`` or when the solution's attribute named there is true; criteria that do not
  apply have no effect at all.
- A criterion's score is ``level / 3``. A missing level on an applicable criterion counts
  as 0 and is listed in ``missing``.
- A domain's score is ``100 × Σ(weight × level) / Σ(weight × 3)`` over its applicable
  criteria (the same as ``100 × Σ(weight × level/3) / Σ(weight)``, computed so that a
  domain where every level is 3 scores exactly 100); a domain with no applicable
  criterion has no score (``None``) and is left out of the overall score.
- The overall score is the mean of the domain scores weighted by the domains' weights.
- An eliminatory criterion *fails* when it applies and its level is below ``min_level``
  (a missing level fails). ``eliminatory_failures`` lists them in framework order.
- Recommendation, from the version's thresholds: any eliminatory failure → ``reject``;
  else overall ≥ ``thresholds["approve"]`` → ``approve``; else overall ≥
  ``thresholds["approve_with_conditions"]`` → ``approve_with_conditions``; else ``reject``.
- Scores are rounded to one decimal only for display; comparisons use exact values.
  Floating-point rounding can never push a score outside 0..100: scores are clamped.

Consequences (tested as properties in tests/criteria/test_scoring.py): every score lies in
0..100; raising a level never lowers any score; multiplying all weights by the same
positive factor changes nothing; the level of a criterion that does not apply changes
nothing; any eliminatory failure forbids "approve" (and "approve_with_conditions").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_LEVEL = 3
RECOMMENDATIONS = ("approve", "approve_with_conditions", "reject")


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    weight: float = 1.0
    eliminatory: bool = False
    min_level: int = 0
    applies_if: str | None = None

    def applies(self, attributes: Mapping[str, object]) -> bool:
        return self.applies_if is None or bool(attributes.get(self.applies_if))


@dataclass(frozen=True)
class DomainSpec:
    code: str
    weight: float = 1.0
    criteria: tuple[CriterionSpec, ...] = ()


@dataclass(frozen=True)
class FrameworkSpec:
    domains: tuple[DomainSpec, ...]
    thresholds: Mapping[str, float] = field(
        default_factory=lambda: {"approve": 75.0, "approve_with_conditions": 55.0}
    )


@dataclass(frozen=True)
class ScoreResult:
    overall: float
    #: domain code → score 0..100, or None when no criterion of the domain applies
    domains: dict[str, float | None]
    eliminatory_failures: list[str]
    #: applicable criteria without a level
    missing: list[str]
    recommendation: str
    #: applicable criteria codes, in framework order
    applicable: list[str]


def spec_of(version) -> FrameworkSpec:
    """A FrameworkSpec from a FrameworkVersion (or any object of the same shape)."""
    return FrameworkSpec(
        domains=tuple(
            DomainSpec(
                code=domain.code,
                weight=float(domain.weight),
                criteria=tuple(
                    CriterionSpec(
                        code=c.code,
                        weight=float(c.weight),
                        eliminatory=bool(c.eliminatory),
                        min_level=int(c.min_level),
                        applies_if=c.applies_if,
                    )
                    for c in domain.criteria
                ),
            )
            for domain in version.domains
        ),
        thresholds=dict(version.thresholds or {}),
    )


def score(
    framework: FrameworkSpec,
    attributes: Mapping[str, object],
    levels: Mapping[str, int],
) -> ScoreResult:
    """Score a solution (its boolean ``attributes``) from a final level per criterion code."""
    domain_scores: dict[str, float | None] = {}
    failures: list[str] = []
    missing: list[str] = []
    applicable: list[str] = []
    weighted_sum = 0.0
    weight_total = 0.0
    for domain in framework.domains:
        earned = 0.0
        possible = 0.0
        for criterion in domain.criteria:
            if not criterion.applies(attributes):
                continue
            applicable.append(criterion.code)
            level = levels.get(criterion.code)
            if level is None:
                missing.append(criterion.code)
                level = 0
            level = max(0, min(MAX_LEVEL, int(level)))
            earned += criterion.weight * level
            possible += criterion.weight * MAX_LEVEL
            if criterion.eliminatory and level < criterion.min_level:
                failures.append(criterion.code)
        if possible > 0:
            domain_score = min(100.0, 100.0 * earned / possible)
            domain_scores[domain.code] = domain_score
            weighted_sum += domain.weight * domain_score
            weight_total += domain.weight
        else:
            domain_scores[domain.code] = None
    overall = min(100.0, weighted_sum / weight_total) if weight_total > 0 else 0.0
    return ScoreResult(
        overall=overall,
        domains=domain_scores,
        eliminatory_failures=failures,
        missing=missing,
        recommendation=recommend(overall, failures, framework.thresholds),
        applicable=applicable,
    )


def recommend(overall: float, failures: list[str], thresholds: Mapping[str, float]) -> str:
    if failures:
        return "reject"
    if overall >= float(thresholds.get("approve", 75.0)):
        return "approve"
    if overall >= float(thresholds.get("approve_with_conditions", 55.0)):
        return "approve_with_conditions"
    return "reject"
