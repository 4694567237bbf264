"""The scoring engine: hand-computed examples, then the properties its docstring promises."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accelerator.criteria.scoring import (
    CriterionSpec,
    DomainSpec,
    FrameworkSpec,
    score,
)

THRESHOLDS = {"approve": 75, "approve_with_conditions": 55}

SPEC = FrameworkSpec(
    domains=(
        DomainSpec(
            "RGPD",
            weight=2,
            criteria=(
                CriterionSpec(
                    "RGPD-01",
                    weight=3,
                    eliminatory=True,
                    min_level=2,
                    applies_if="processes_personal_data",
                ),
                CriterionSpec("RGPD-02", weight=1, applies_if="processes_personal_data"),
            ),
        ),
        DomainSpec(
            "PEDA", weight=1, criteria=(CriterionSpec("PEDA-01", 2), CriterionSpec("PEDA-02", 1))
        ),
    ),
    thresholds=THRESHOLDS,
)
PERSONAL = {"processes_personal_data": True}


def test_hand_computed_example():
    # RGPD: (3×2/3 + 1×3/3) / 4 = 3/4 → 75; PEDA: (2×3/3 + 1×1/3) / 3 = 7/9 → 77.78
    # overall: (2×75 + 1×77.78) / 3 = 75.93 → approve
    result = score(SPEC, PERSONAL, {"RGPD-01": 2, "RGPD-02": 3, "PEDA-01": 3, "PEDA-02": 1})
    assert result.domains["RGPD"] == pytest.approx(75.0)
    assert result.domains["PEDA"] == pytest.approx(700 / 9)
    assert result.overall == pytest.approx((2 * 75 + 700 / 9) / 3)
    assert result.eliminatory_failures == [] and result.missing == []
    assert result.recommendation == "approve"


def test_an_eliminatory_failure_rejects_whatever_the_score():
    result = score(SPEC, PERSONAL, {"RGPD-01": 1, "RGPD-02": 3, "PEDA-01": 3, "PEDA-02": 3})
    # RGPD: (3×1/3 + 1) / 4 = 50; PEDA 100; overall (100 + 100) / 3 = 66.67
    assert result.overall == pytest.approx(200 / 3)
    assert result.eliminatory_failures == ["RGPD-01"]
    assert result.recommendation == "reject"


def test_criteria_that_do_not_apply_have_no_effect():
    # Without personal data, RGPD has no applicable criterion: no score, left out of the mean.
    result = score(SPEC, {}, {"RGPD-01": 0, "PEDA-01": 3, "PEDA-02": 0})
    assert result.domains == {"RGPD": None, "PEDA": pytest.approx(200 / 3)}
    assert result.overall == pytest.approx(200 / 3)
    assert result.eliminatory_failures == []
    assert result.applicable == ["PEDA-01", "PEDA-02"]
    assert result.recommendation == "approve_with_conditions"


def test_a_missing_level_counts_as_zero_and_is_listed():
    result = score(SPEC, PERSONAL, {"RGPD-02": 3, "PEDA-01": 3, "PEDA-02": 3})
    assert result.missing == ["RGPD-01"]
    assert result.eliminatory_failures == ["RGPD-01"]
    assert result.domains["RGPD"] == pytest.approx(25.0)


@pytest.mark.parametrize(
    ("overall_levels", "expected"),
    [
        (3, "approve"),  # 100
        (2, "approve_with_conditions"),  # 66.7
        (1, "reject"),  # 33.3
    ],
)
def test_recommendation_follows_the_thresholds(overall_levels, expected):
    spec = FrameworkSpec((DomainSpec("A", 1, (CriterionSpec("A-01"),)),), THRESHOLDS)
    assert score(spec, {}, {"A-01": overall_levels}).recommendation == expected


def test_thresholds_are_inclusive():
    spec = FrameworkSpec(
        (DomainSpec("A", 1, (CriterionSpec("A-01"), CriterionSpec("A-02"))),),
        {"approve": 50, "approve_with_conditions": 20},
    )
    # (3 + 0) / 6 → exactly 50
    assert score(spec, {}, {"A-01": 3, "A-02": 0}).recommendation == "approve"


# --- Properties ------------------------------------------------------------------------------

ATTRIBUTES = ("processes_personal_data", "gar_compatible", "paid", "uses_ai")
weights = st.integers(min_value=1, max_value=20).map(float) | st.floats(
    min_value=0.1, max_value=50, allow_nan=False, allow_infinity=False
)


@st.composite
def frameworks(draw):
    domains = []
    counter = 0
    for d in range(draw(st.integers(1, 4))):
        criteria = []
        for _ in range(draw(st.integers(1, 5))):
            counter += 1
            eliminatory = draw(st.booleans())
            criteria.append(
                CriterionSpec(
                    code=f"D{d}-{counter:02d}",
                    weight=draw(weights),
                    eliminatory=eliminatory,
                    min_level=draw(st.integers(1, 3)) if eliminatory else 0,
                    applies_if=draw(st.none() | st.sampled_from(ATTRIBUTES)),
                )
            )
        floor = draw(st.none() | st.floats(0, 100, allow_nan=False))
        domains.append(DomainSpec(f"D{d}", draw(weights), tuple(criteria), floor))
    approve = draw(st.integers(0, 100))
    return FrameworkSpec(
        tuple(domains),
        {"approve": approve, "approve_with_conditions": draw(st.integers(0, approve))},
    )


@st.composite
def cases(draw):
    spec = draw(frameworks())
    attributes = {name: draw(st.booleans()) for name in ATTRIBUTES}
    codes = [c.code for d in spec.domains for c in d.criteria]
    # Most criteria have a level; some are missing (they count as 0).
    levels = {code: draw(st.integers(0, 3)) for code in codes if draw(st.integers(0, 5))}
    return spec, attributes, levels


def _scores(result):
    return [result.overall, *[v for v in result.domains.values() if v is not None]]


@given(cases())
def test_scores_lie_between_0_and_100(case):
    result = score(*case)
    assert all(0 <= value <= 100 for value in _scores(result))
    assert result.recommendation in ("approve", "approve_with_conditions", "reject")


@given(cases(), st.data())
def test_raising_a_level_never_lowers_any_score(case, data):
    spec, attributes, levels = case
    codes = [c.code for d in spec.domains for c in d.criteria]
    code = data.draw(st.sampled_from(codes))
    current = levels.get(code, 0)
    if current == 3:
        return
    raised = {**levels, code: data.draw(st.integers(current + 1, 3))}
    before, after = score(spec, attributes, levels), score(spec, attributes, raised)
    assert after.overall >= before.overall - 1e-9
    for domain, value in before.domains.items():
        if value is not None:
            assert after.domains[domain] >= value - 1e-9
    assert set(after.eliminatory_failures) <= set(before.eliminatory_failures)
    assert set(after.domain_floor_failures) <= set(before.domain_floor_failures)


def _scaled(spec: FrameworkSpec, criteria_factor: float, domain_factor: float) -> FrameworkSpec:
    return FrameworkSpec(
        tuple(
            DomainSpec(
                d.code,
                d.weight * domain_factor,
                tuple(
                    CriterionSpec(
                        c.code, c.weight * criteria_factor, c.eliminatory, c.min_level, c.applies_if
                    )
                    for c in d.criteria
                ),
                d.floor,
            )
            for d in spec.domains
        ),
        spec.thresholds,
    )


@given(cases(), st.integers(-6, 6), st.integers(-6, 6))
def test_scaling_weights_by_a_power_of_two_changes_nothing_at_all(case, a, b):
    # Powers of two scale floating-point numbers exactly, so the results are identical.
    spec, attributes, levels = case
    assert score(_scaled(spec, 2.0**a, 2.0**b), attributes, levels) == score(spec, *case[1:])


@given(cases(), weights, weights)
def test_scaling_weights_by_any_factor_keeps_the_scores(case, a, b):
    spec, attributes, levels = case
    before, after = score(spec, attributes, levels), score(_scaled(spec, a, b), attributes, levels)
    assert after.overall == pytest.approx(before.overall)
    assert after.domains == pytest.approx(before.domains)
    assert after.eliminatory_failures == before.eliminatory_failures


@given(cases(), st.data())
def test_a_non_applicable_criterion_level_changes_nothing(case, data):
    spec, attributes, levels = case
    outside = [c.code for d in spec.domains for c in d.criteria if not c.applies(attributes)]
    if not outside:
        return
    code = data.draw(st.sampled_from(outside))
    changed = {**levels, code: data.draw(st.integers(0, 3))}
    assert score(spec, attributes, changed) == score(spec, attributes, levels)
    without = {k: v for k, v in levels.items() if k != code}
    assert score(spec, attributes, without) == score(spec, attributes, levels)


@given(cases())
def test_an_eliminatory_failure_forbids_approval(case):
    result = score(*case)
    if result.eliminatory_failures:
        assert result.recommendation == "reject"
    assert all(
        c.eliminatory and c.applies(case[1]) and case[2].get(c.code, 0) < c.min_level
        for d in case[0].domains
        for c in d.criteria
        if c.code in result.eliminatory_failures
    )


@given(cases())
def test_a_domain_below_its_floor_forbids_approval(case):
    spec, attributes, levels = case
    result = score(spec, attributes, levels)
    expected = [
        d.code
        for d in spec.domains
        if d.floor is not None
        and result.domains[d.code] is not None
        and result.domains[d.code] < d.floor
    ]
    assert result.domain_floor_failures == expected
    if expected:
        assert result.recommendation == "reject"


@pytest.mark.parametrize(
    ("levels", "floor_failures", "recommendation"),
    [
        # A (floor 50): 100 × (1 + 2) / 6 = 50, the floor itself: met; overall 75.
        ({"A-01": 1, "A-02": 2, "B-01": 3}, [], "approve"),
        # A at 100 × 2/6 = 33.3 < 50: rejected although the overall is 66.7.
        ({"A-01": 1, "A-02": 1, "B-01": 3}, ["A"], "reject"),
        # B has no floor: B at 0 only lowers the overall score (to 50).
        ({"A-01": 3, "A-02": 3, "B-01": 0}, [], "reject"),
        ({"A-01": 3, "A-02": 3, "B-01": 3}, [], "approve"),
    ],
)
def test_a_floor_is_a_minimum_domain_score_inclusive(levels, floor_failures, recommendation):
    spec = FrameworkSpec(
        (
            DomainSpec("A", 1, (CriterionSpec("A-01"), CriterionSpec("A-02")), floor=50),
            DomainSpec("B", 1, (CriterionSpec("B-01"),)),
        ),
        {"approve": 75, "approve_with_conditions": 55},
    )
    result = score(spec, {}, levels)
    assert result.domain_floor_failures == floor_failures
    assert result.recommendation == recommendation


def test_a_domain_without_applicable_criteria_cannot_fail_its_floor():
    spec = FrameworkSpec(
        (
            DomainSpec("IA", 1, (CriterionSpec("IA-01", applies_if="uses_ai"),), floor=50),
            DomainSpec("B", 1, (CriterionSpec("B-01"),)),
        ),
        {"approve": 65, "approve_with_conditions": 50},
    )
    result = score(spec, {"uses_ai": False}, {"B-01": 2})
    assert result.domains["IA"] is None
    assert result.domain_floor_failures == []
    assert result.recommendation == "approve"
