"""Score 10,000 audits on the default cadre de confiance; report the time per audit.

No database: the framework is read from the shipped YAML file. The baseline, measured in
the same run on the same level sets, is a plain loop computing the unweighted mean of the
levels — the least any scoring must do — so the ratio shows what weights, applicability,
eliminatory checks and the recommendation cost on top.

    .venv/bin/python bench/score_audits.py [--audits 10000] [--seed 2026]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accelerator.criteria import document as documents  # noqa: E402
from accelerator.criteria.operations import DEFAULT_FILE  # noqa: E402
from accelerator.criteria.rules import ATTRIBUTES  # noqa: E402
from accelerator.criteria.scoring import score, spec_of  # noqa: E402


def make_audits(codes: list[str], count: int, seed: int) -> list[tuple[dict, dict]]:
    rng = random.Random(seed)
    audits = []
    for _ in range(count):
        attributes = {name: rng.random() < 0.7 for name in ATTRIBUTES}
        # Mostly good levels, as in audits that reach the committee; a few missing.
        levels = {code: rng.choice((0, 1, 2, 2, 3, 3, 3)) for code in codes if rng.random() > 0.02}
        audits.append((attributes, levels))
    return audits


def baseline(codes: list[str], audits: list[tuple[dict, dict]]) -> list[float]:
    means = []
    for _, levels in audits:
        total = 0
        for code in codes:
            total += levels.get(code, 0)
        means.append(100.0 * total / (3 * len(codes)))
    return means


def timed(function, *args, repeat: int = 3) -> float:
    """Best of ``repeat`` runs, in seconds (the machine is shared)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function(*args)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audits", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    document = documents.parse(DEFAULT_FILE.read_text(encoding="utf-8"))
    spec = spec_of(document)
    codes = [c.code for c in document.criteria()]
    audits = make_audits(codes, args.audits, args.seed)

    def engine() -> list:
        return [score(spec, attributes, levels) for attributes, levels in audits]

    results = engine()
    engine_time = timed(engine)
    baseline_time = timed(baseline, codes, audits)
    recommendations = {
        r: sum(1 for x in results if x.recommendation == r)
        for r in ("approve", "approve_with_conditions", "reject")
    }

    n = len(audits)
    print(f"Framework: {document.label} — {len(document.domains)} domains, {len(codes)} criteria")
    print(f"Audits scored: {n:,} (seed {args.seed}); best of 3 runs")
    print(f"Scoring engine: {engine_time:.3f} s total, {engine_time / n * 1e6:.1f} µs per audit")
    print(
        f"Baseline (unweighted mean, plain loop): {baseline_time:.3f} s total, "
        f"{baseline_time / n * 1e6:.1f} µs per audit"
    )
    print(f"Ratio engine / baseline: {engine_time / baseline_time:.1f}×")
    print(
        f"Mean overall score: {statistics.fmean(r.overall for r in results):.1f}; "
        f"recommendations: {recommendations}"
    )


if __name__ == "__main__":
    main()
