"""Agreement between the experts who scored the same criterion of the same audit.

- *Share without divergence*: of the (audit, criterion) pairs scored by two experts or more,
  those whose levels are less than two apart (two levels apart is what the audits call a
  divergence, settled by a manager).
- *Weighted kappa* (Cohen's, quadratic weights ``(i - j)² / 3²`` over the levels 0..3): over
  every pair of experts who scored the same criterion of the same audit, the first expert
  being the one with the smaller id. 1 is perfect agreement, 0 what chance alone gives.
  Undefined (None) when chance disagreement is nil (every level the same).

Per criterion, the pairs of that criterion; per expert, the pairs the expert is in, the
expert's level first. Computed here in a few lines (no statistics package is a dependency).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

LEVELS = 4
DIVERGENCE = 2


def weighted_kappa(pairs: Iterable[tuple[int, int]], levels: int = LEVELS) -> float | None:
    """Cohen's kappa with quadratic weights of (rater A, rater B) level pairs."""
    pairs = list(pairs)
    if not pairs:
        return None
    n = len(pairs)
    observed = [[0.0] * levels for _ in range(levels)]
    for a, b in pairs:
        observed[a][b] += 1 / n
    rows = [sum(observed[i]) for i in range(levels)]
    columns = [sum(observed[i][j] for i in range(levels)) for j in range(levels)]
    weight = [[(i - j) ** 2 / (levels - 1) ** 2 for j in range(levels)] for i in range(levels)]
    disagreement = sum(weight[i][j] * observed[i][j] for i in range(levels) for j in range(levels))
    chance = sum(weight[i][j] * rows[i] * columns[j] for i in range(levels) for j in range(levels))
    if chance == 0:
        return None
    return 1 - disagreement / chance


@dataclass(frozen=True)
class AgreementRow:
    key: object
    #: (audit, criterion) pairs scored by two experts or more (per expert: those they scored)
    items: int
    #: percentage of those without divergence (None without items)
    share: float | None
    kappa: float | None


def _items(levels) -> dict[tuple[int, str], dict[int, int]]:
    """{(audit, criterion): {expert: level}} of the rows (day, audit, criterion, expert, level)."""
    items: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
    for _day, audit, criterion, expert, level in levels:
        items[(audit, criterion)][expert] = level
    return {key: scored for key, scored in items.items() if len(scored) >= 2}


def without_divergence(scored: dict[int, int]) -> bool:
    return max(scored.values()) - min(scored.values()) < DIVERGENCE


def share(levels) -> tuple[int, int]:
    """(items without divergence, items) of score rows."""
    items = _items(levels)
    return sum(1 for scored in items.values() if without_divergence(scored)), len(items)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def by_criterion(levels) -> list[AgreementRow]:
    grouped: dict[str, list[dict[int, int]]] = defaultdict(list)
    for (_audit, criterion), scored in _items(levels).items():
        grouped[criterion].append(scored)
    rows = []
    for criterion in sorted(grouped):
        scored_items = grouped[criterion]
        agreeing = sum(1 for scored in scored_items if without_divergence(scored))
        pairs = [
            (scored[a], scored[b])
            for scored in scored_items
            for a, b in combinations(sorted(scored), 2)
        ]
        rows.append(
            AgreementRow(
                criterion,
                len(scored_items),
                _percent(agreeing, len(scored_items)),
                _round(weighted_kappa(pairs)),
            )
        )
    return rows


def by_expert(levels) -> list[AgreementRow]:
    items_of: dict[int, int] = defaultdict(int)
    agreeing_of: dict[int, int] = defaultdict(int)
    pairs_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for scored in _items(levels).values():
        agrees = without_divergence(scored)
        for expert, level in scored.items():
            items_of[expert] += 1
            agreeing_of[expert] += agrees
            pairs_of[expert].extend(
                (level, other_level) for other, other_level in scored.items() if other != expert
            )
    return [
        AgreementRow(
            expert,
            items_of[expert],
            _percent(agreeing_of[expert], items_of[expert]),
            _round(weighted_kappa(pairs_of[expert])),
        )
        for expert in sorted(items_of)
    ]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
