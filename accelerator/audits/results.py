"""An audit's result: final levels, divergences and the scoring engine's figures.

Rules
-----
- The criteria that count are those of the audit's framework version that *apply* to the
  solution as declared at submission (``Criterion.applies_if`` against ``Audit.attributes()``,
  the declarations frozen on the audit; a draft reads the solution as it stands).
- A partial re-audit (``Audit.reaudit_domains``, opened after a substantial change) reviews
  only ``Audit.codes_to_review()``; every other applicable criterion keeps the level of the
  approval it re-audits (``Audit.carried_levels``, copied when it opened), so the result is
  the approval's, with the re-audited domains scored anew.
- Final level of a criterion: the manager's consolidation when there is one; otherwise the
  **floor of the mean** of the assigned experts' levels (two experts at 2 and 3 give 2: a
  criterion is only credited with what every doubt allows); no level when no expert scored
  it (the engine then counts 0 and lists it as missing).
- A criterion is *divergent* when two experts' levels on it are two or more apart
  (``DIVERGENCE_GAP``). ``divergences`` lists the applicable divergent criteria not yet
  settled by a consolidation, in framework order; the audit cannot go to the committee
  while the list is not empty.
- The overall score, the domain scores, the eliminatory failures, the domains below their
  floor and the recommendation are
  those of ``criteria.scoring.score`` on the final levels (rules in its docstring).
- An audit without any final level is *not scored yet* (``scored`` false): its figures
  (0/100, reject) are the engine's on nothing, and no page shows them as a result.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from accelerator.audits.models import Audit
from accelerator.criteria.scoring import ScoreResult, score, spec_of

#: two experts this many levels apart or more disagree on a criterion
DIVERGENCE_GAP = 2


@dataclass(frozen=True)
class AuditResult:
    engine: ScoreResult
    #: criterion code → final level (criteria without any level are absent)
    final_levels: dict[str, int]
    #: applicable divergent criteria not yet settled, in framework order
    divergences: list[str]

    @property
    def scored(self) -> bool:
        """Some criterion has a level (an expert's or a settlement). Before that the engine's
        figures (0/100, reject) say nothing: pages, the report and the API say "not scored
        yet" instead."""
        return bool(self.final_levels)

    def as_dict(self) -> dict:
        return {
            "scored": self.scored,
            "overall_score": round(self.engine.overall, 1),
            "domains": [
                {"code": code, "score": None if value is None else round(value, 1)}
                for code, value in self.engine.domains.items()
            ],
            "eliminatory_failures": list(self.engine.eliminatory_failures),
            "domain_floor_failures": list(self.engine.domain_floor_failures),
            "divergences": list(self.divergences),
            "recommendation": self.engine.recommendation,
            "missing": list(self.engine.missing),
        }


def applicable_codes(audit: Audit) -> list[str]:
    """Codes of the criteria that apply to the audited solution, in framework order."""
    return [criterion.code for criterion in audit.applicable_criteria()]


def expert_levels(audit: Audit) -> dict[str, dict[int, int]]:
    """criterion code → {expert id → level}, for the experts still assigned."""
    assigned = audit.expert_ids()
    levels: dict[str, dict[int, int]] = defaultdict(dict)
    for row in audit.scores:
        if row.expert_id in assigned:
            levels[row.criterion_code][row.expert_id] = row.level
    return levels


def is_divergent(levels: dict[int, int]) -> bool:
    return len(levels) >= 2 and max(levels.values()) - min(levels.values()) >= DIVERGENCE_GAP


def final_levels(audit: Audit) -> dict[str, int]:
    """The level each criterion is scored with (see the module's rules)."""
    settled = {c.criterion_code: c.level for c in audit.consolidations}
    result: dict[str, int] = {}
    if audit.is_partial_reaudit:
        reviewed = set(audit.codes_to_review())
        result = {
            code: level
            for code, level in (audit.carried_levels or {}).items()
            if code not in reviewed
        }
    for code, by_expert in expert_levels(audit).items():
        if by_expert:
            result[code] = sum(by_expert.values()) // len(by_expert)
    result.update(settled)
    return result


def divergent_codes(audit: Audit, include_settled: bool = False) -> list[str]:
    """Applicable criteria on which experts diverge (unsettled only, unless asked)."""
    settled = {c.criterion_code for c in audit.consolidations}
    levels = expert_levels(audit)
    return [
        code
        for code in applicable_codes(audit)
        if is_divergent(levels.get(code, {})) and (include_settled or code not in settled)
    ]


def compute_result(audit: Audit) -> AuditResult:
    levels = final_levels(audit)
    engine = score(spec_of(audit.framework_version), audit.attributes(), levels)
    return AuditResult(engine=engine, final_levels=levels, divergences=divergent_codes(audit))
