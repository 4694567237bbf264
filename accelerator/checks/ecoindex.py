"""The EcoIndex of a page: its DOM size, request count and weight → a score and a grade.

The published method of the Collectif Conception Numérique Responsable (GreenIT), as
written in its reference implementation, cnumr/ecoindex_reference and
cnumr/ecoindex_python (``ecoindex/compute/ecoindex.py``), https://www.ecoindex.fr/comment-ca-marche/:

- each measure is placed among the quantiles of the HTTP Archive's pages (below): its
  position ``q`` runs from 0 to 20, interpolated linearly inside its quantile;
- score = 100 − 5 × (3·q_dom + 2·q_requests + q_size) / 6, so 100 is best, 0 worst;
- grade: A above 80, B above 70, C above 55, D above 40, E above 25, F above 10, else G.
"""

from __future__ import annotations

from bisect import bisect_right

#: quantiles of the number of DOM elements
QUANTILES_DOM = (
    0, 47, 75, 159, 233, 298, 358, 417, 476, 537, 603, 674, 753, 843, 949, 1076, 1237, 1459,
    1801, 2479, 594601,
)  # fmt: skip
#: quantiles of the number of HTTP requests
QUANTILES_REQUESTS = (
    0, 2, 15, 25, 34, 42, 49, 56, 63, 70, 78, 86, 95, 105, 117, 130, 147, 170, 205, 281, 3920,
)  # fmt: skip
#: quantiles of the transferred weight, in kilobytes
QUANTILES_SIZE_KB = (
    0, 1.37, 144.7, 319.53, 479.46, 631.97, 783.38, 937.91, 1098.62, 1265.47, 1448.32,
    1648.27, 1876.08, 2142.06, 2465.37, 2866.31, 3401.59, 4155.73, 5400.08, 8037.54,
    223212.26,
)  # fmt: skip
GRADES = (("A", 80), ("B", 70), ("C", 55), ("D", 40), ("E", 25), ("F", 10))


def quantile_position(quantiles: tuple, value: float) -> float:
    """Where ``value`` stands among ``quantiles``: 0..20, linear inside a quantile."""
    if value < 0:
        raise ValueError("a measure cannot be negative")
    index = bisect_right(quantiles, value)
    if index >= len(quantiles):
        return float(len(quantiles) - 1)
    low, high = quantiles[index - 1], quantiles[index]
    return index - 1 + (value - low) / (high - low)


def score(dom: int, requests: int, size_kb: float) -> float:
    """The EcoIndex score (0-100, not rounded)."""
    q_dom = quantile_position(QUANTILES_DOM, dom)
    q_requests = quantile_position(QUANTILES_REQUESTS, requests)
    q_size = quantile_position(QUANTILES_SIZE_KB, size_kb)
    return 100 - 5 * (3 * q_dom + 2 * q_requests + q_size) / 6


def grade(value: float) -> str:
    for letter, above in GRADES:
        if value > above:
            return letter
    return "G"


def ecoindex(dom: int, requests: int, size_kb: float) -> dict:
    """Score (rounded as the reference does) and grade, with the measures."""
    rounded = round(score(dom, requests, size_kb))
    # The reference grades the rounded score (80.3 reads 80: grade B).
    return {
        "score": rounded,
        "grade": grade(rounded),
        "dom": dom,
        "requests": requests,
        "size_kb": round(size_kb, 1),
    }
