"""The pre-submission self-diagnostic: quick answers in, a roadmap of gaps out.

Pure (nothing is stored, no database): it reads a framework version (a stored
``FrameworkVersion`` or a ``FrameworkDocument``) and scores the answers with the engine.

Answers become levels as follows, on purpose conservative, since a self-diagnostic must
not promise more than an expert would grant:
- ``yes`` → 3; ``partial`` → 1 (the level labelled "Partiellement satisfait"); ``no`` → 0;
- ``not_applicable`` → the criterion is left out only when it has an ``applies_if`` and the
  solution's attribute is false (then the engine ignores it anyway); a criterion that
  applies cannot be declared not applicable, so it counts as 0 and is listed in
  ``counted_as_not_met``;
- a criterion left unanswered counts as 0 and is listed in ``unanswered``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from accelerator.criteria.scoring import MAX_LEVEL, ScoreResult, score, spec_of

ANSWERS = ("yes", "partial", "no", "not_applicable")
ANSWER_LEVELS = {"yes": 3, "partial": 1, "no": 0, "not_applicable": 0}


@dataclass(frozen=True)
class Gap:
    """An applicable criterion below level 3, and what reaching the next step means."""

    code: str
    title: str
    domain_code: str
    domain_name: str
    answer: str | None
    level: int
    eliminatory: bool
    min_level: int
    #: an eliminatory criterion below its minimum level: approval is impossible
    failing: bool
    #: the level to aim for: the minimum for a failing criterion, else the next level
    target_level: int
    target_label: str
    target_descriptor: str
    #: points of overall score won by reaching level 3 on this criterion alone
    gain: float


@dataclass(frozen=True)
class Diagnostic:
    result: ScoreResult
    #: failing eliminatory criteria first (framework order), then by gain, largest first
    gaps: list[Gap]
    counted_as_not_met: list[str]
    unanswered: list[str]


def levels_from_answers(answers: Mapping[str, str]) -> dict[str, int]:
    return {code: ANSWER_LEVELS[answer] for code, answer in answers.items() if answer in ANSWERS}


def diagnose(version, attributes: Mapping[str, object], answers: Mapping[str, str]) -> Diagnostic:
    """Score ``answers`` (criterion code → answer) for a solution with ``attributes``."""
    spec = spec_of(version)
    levels = levels_from_answers(answers)
    result = score(spec, attributes, levels)
    applicable = set(result.applicable)
    failing = set(result.eliminatory_failures)
    gaps: list[Gap] = []
    for domain in version.domains:
        for criterion in domain.criteria:
            if criterion.code not in applicable:
                continue
            level = levels.get(criterion.code, 0)
            if level >= MAX_LEVEL:
                continue
            raised = score(spec, attributes, {**levels, criterion.code: MAX_LEVEL})
            is_failing = criterion.code in failing
            target = criterion.min_level if is_failing else level + 1
            descriptor = next((lv for lv in criterion.levels if lv.value == target), None)
            gaps.append(
                Gap(
                    code=criterion.code,
                    title=criterion.title,
                    domain_code=domain.code,
                    domain_name=domain.name,
                    answer=answers.get(criterion.code),
                    level=level,
                    eliminatory=bool(criterion.eliminatory),
                    min_level=int(criterion.min_level),
                    failing=is_failing,
                    target_level=target,
                    target_label=descriptor.label if descriptor else "",
                    target_descriptor=descriptor.descriptor if descriptor else "",
                    gain=raised.overall - result.overall,
                )
            )
    order = {code: index for index, code in enumerate(result.applicable)}
    gaps.sort(key=lambda g: (not g.failing, 0 if g.failing else -g.gain, order[g.code]))
    return Diagnostic(
        result=result,
        gaps=gaps,
        counted_as_not_met=[
            code for code in result.applicable if answers.get(code) == "not_applicable"
        ],
        unanswered=[code for code in result.applicable if code not in answers],
    )
