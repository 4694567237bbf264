"""Pure helpers: the differences between two versions, and the self-diagnostic's rules."""

from __future__ import annotations

import dataclasses

import pytest

from accelerator.criteria import document as documents
from accelerator.criteria.diagnostic import ANSWER_LEVELS, diagnose
from accelerator.criteria.diff import diff
from tests.criteria.helpers import criterion, framework_data, yaml_text


def _doc(data=None) -> documents.FrameworkDocument:
    return documents.parse(yaml_text(data or framework_data()))


def test_identical_versions_have_no_difference():
    assert diff(_doc(), _doc()).is_empty


def test_diff_lists_added_removed_and_changed_criteria_and_fields():
    new = framework_data(
        label="Nouveau titre", thresholds={"approve": 80, "approve_with_conditions": 55}
    )
    peda = new["domains"][1]
    peda["criteria"][0]["weight"] = 5
    peda["criteria"][0]["levels"][2]["descriptor"] = "Autre descripteur."
    del peda["criteria"][1]
    peda["criteria"].append(criterion("PEDA-03"))
    new["domains"][2]["weight"] = 3
    changes = diff(_doc(), _doc(new))
    assert {c.field for c in changes.version_changes} == {"label", "thresholds"}
    by_code = {item.code: item for item in changes.criteria}
    assert (by_code["PEDA-03"].kind, by_code["PEDA-02"].kind) == ("added", "removed")
    changed = by_code["PEDA-01"]
    assert changed.kind == "changed"
    assert {c.field for c in changed.changes} == {"weight", "level 2"}
    weight = next(c for c in changed.changes if c.field == "weight")
    assert (weight.old, weight.new) == (2, 5)
    assert [(d.code, d.kind) for d in changes.domains] == [("ACCES", "changed")]


def test_diff_against_nothing_in_force_marks_everything_added():
    changes = diff(None, _doc())
    assert {item.kind for item in changes.criteria} == {"added"}
    assert len(changes.criteria) == 5 and len(changes.domains) == 3


# --- The self-diagnostic ----------------------------------------------------------------


@pytest.mark.parametrize(("answer", "level"), [("yes", 3), ("partial", 1), ("no", 0)])
def test_answers_map_to_levels(answer, level):
    assert ANSWER_LEVELS[answer] == level
    result = diagnose(_doc(), {}, {"PEDA-01": answer, "PEDA-02": "yes", "ACCES-01": "yes"})
    assert result.result.domains["PEDA"] == pytest.approx(100 * (2 * level + 3) / 9)


def test_not_applicable_removes_only_a_criterion_whose_condition_is_false():
    answers = {
        "RGPD-01": "not_applicable",
        "RGPD-02": "not_applicable",
        "PEDA-01": "not_applicable",
        "PEDA-02": "yes",
        "ACCES-01": "yes",
    }
    without_data = diagnose(_doc(), {"processes_personal_data": False}, answers)
    assert without_data.counted_as_not_met == ["PEDA-01"]
    assert without_data.result.domains["RGPD"] is None
    with_data = diagnose(_doc(), {"processes_personal_data": True}, answers)
    assert with_data.counted_as_not_met == ["RGPD-01", "RGPD-02", "PEDA-01"]
    assert with_data.result.eliminatory_failures == ["RGPD-01"]


def test_gaps_put_failing_eliminatory_criteria_first_then_the_largest_gains():
    result = diagnose(
        _doc(),
        {"processes_personal_data": True},
        {"RGPD-01": "yes", "RGPD-02": "partial", "PEDA-01": "no", "PEDA-02": "partial"},
    )
    assert result.unanswered == ["ACCES-01"]
    codes = [gap.code for gap in result.gaps]
    assert codes[0] == "ACCES-01" and result.gaps[0].failing
    gains = [gap.gain for gap in result.gaps[1:]]
    assert gains == sorted(gains, reverse=True) and all(g > 0 for g in gains)
    assert "RGPD-01" not in codes  # fully met
    first = result.gaps[0]
    assert (first.target_level, first.target_label) == (1, "Partiellement satisfait")


def test_the_gain_is_what_the_overall_score_would_win():
    doc = _doc()
    answers = {"PEDA-01": "no", "PEDA-02": "yes", "ACCES-01": "yes"}
    before = diagnose(doc, {}, answers)
    gap = next(g for g in before.gaps if g.code == "PEDA-01")
    after = diagnose(doc, {}, {**answers, "PEDA-01": "yes"})
    assert before.result.overall + gap.gain == pytest.approx(after.result.overall)


def test_a_document_and_its_copy_diagnose_the_same():
    doc = _doc()
    copy = dataclasses.replace(doc, label="Copie")
    answers = {"PEDA-01": "partial"}
    assert diagnose(doc, {}, answers).result == diagnose(copy, {}, answers).result
