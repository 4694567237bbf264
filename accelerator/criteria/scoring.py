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
- A domain may have a *floor*, a minimum domain score (0..100). A domain with a score below
  its floor *fails* (a domain with no applicable criterion has no score and cannot fail).
  ``domain_floor_failures`` lists them in framework order.
- Recommendation, from the version's thresholds: any eliminatory failure or any domain
  below its floor → ``reject``; else overall ≥ ``thresholds["approve"]`` → ``approve``;
  else overall ≥ ``thresholds["approve_with_conditions"]`` → ``approve_with_conditions``;
  else ``reject``. A committee can never approve what the engine must reject for an
  eliminatory failure or a floor (the audits' decision guard asks this engine).
- Scores are rounded to one decimal only for display; comparisons use exact values.
  Floating-point rounding can never push a score outside 0..100: scores are clamped.

Consequences (tested as properties in tests/criteria/test_scoring.py): every score lies in
0..100; raising a level never lowers any score; multiplying all weights by the same
positive factor changes nothing; the level of a criterion that does not apply changes
nothing; any eliminatory failure, and any domain below its floor, forbids "approve" (and
"approve_with_conditions").

Calibration of the cadre de confiance 2026.2 (tests/criteria/test_calibration.py)
---------------------------------------------------------------------------------
Level 2 is "Satisfait": the criterion is met. A solution that meets every criterion must be
approvable without conditions, so the thresholds sit at or below the score of level 2
everywhere, which is always ``100 × 2/3 = 66.7`` whatever the weights:

- every applicable criterion at 2 → every domain 66.7, overall 66.7 ≥ approve (65):
  ``approve``. (With 2026.1's threshold of 75 this was only "approve with conditions".)
- every criterion at 2 but one domain at 1 everywhere, e.g. SOBRIETE (weight 1; the domain
  weights sum to 16 without the AI domain, 18 with it): overall = (15 × 66.7 + 1 × 33.3) / 16
  = 64.6 → ``approve_with_conditions`` (≥ 50); SOBRIETE has no floor.
- every criterion at 1 ("Partiellement satisfait") → 33.3 < 50: ``reject``, and every floor
  (RGPD, SEC and PEDA 50, ACC 40, IA 50) fails too.
- every pedagogy criterion at 0, the rest at 3 → overall 100 × (16 − 3) / 16 = 81.25, yet PEDA
  scores 0, below its floor of 50: ``reject`` with ``domain_floor_failures == ["PEDA"]``.
  (2026.1, without floors, scored the same case 81.2 and recommended approval.)
- every accessibility criterion at 0, the rest at 3 → 87.5, but ACC is below its floor of 40:
  ``reject``.
- IA-01 (practices the AI Act prohibits, such as inferring pupils' emotions, art. 5(1)(f)) at 0
  on a solution declaring ``uses_ai``, the rest at 3 → IA scores 100 × 14/17 = 82.4 and the
  overall (16 × 100 + 2 × 82.4) / 18 = 98.0, but IA-01 is eliminatory: ``reject``. (2026.1
  scored ETHIQUE-04 at 0, its nearest case, 97.5, "approve".)
- a floor is a minimum score, so it is met by a domain at 2 everywhere (66.7 ≥ 50): floors
  never block a solution that meets every criterion.
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
    #: minimum domain score (0..100), or None for no floor
    floor: float | None = None


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
    #: domains scored below their floor, in framework order
    domain_floor_failures: list[str]
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
                floor=None if domain.floor is None else float(domain.floor),
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
    floor_failures: list[str] = []
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
            if domain.floor is not None and domain_score < domain.floor:
                floor_failures.append(domain.code)
            weighted_sum += domain.weight * domain_score
            weight_total += domain.weight
        else:
            domain_scores[domain.code] = None
    overall = min(100.0, weighted_sum / weight_total) if weight_total > 0 else 0.0
    return ScoreResult(
        overall=overall,
        domains=domain_scores,
        eliminatory_failures=failures,
        domain_floor_failures=floor_failures,
        missing=missing,
        recommendation=recommend(overall, failures + floor_failures, framework.thresholds),
        applicable=applicable,
    )


def recommend(overall: float, failures: list[str], thresholds: Mapping[str, float]) -> str:
    """``failures``: eliminatory criteria failed and domains below their floor."""
    if failures:
        return "reject"
    if overall >= float(thresholds.get("approve", 75.0)):
        return "approve"
    if overall >= float(thresholds.get("approve_with_conditions", 55.0)):
        return "approve_with_conditions"
    return "reject"
