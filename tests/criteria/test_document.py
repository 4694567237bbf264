"""The framework file format: a good file loads; each kind of bad file is refused whole, with
the line and field of every error, and nothing is written; export re-imports identically."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from accelerator.criteria import document as documents
from accelerator.criteria import operations
from accelerator.criteria.models import Criterion, Framework, FrameworkVersion, Level
from accelerator.extensions import db
from tests.criteria.helpers import criterion, framework_data, yaml_text


def test_a_good_file_loads():
    document = documents.parse(yaml_text())
    assert (document.framework_code, document.version) == ("cadre-test", "2026.1")
    assert [d.code for d in document.domains] == ["RGPD", "PEDA", "ACCES"]
    first = document.domains[0].criteria[0]
    assert (first.code, first.weight, first.eliminatory, first.min_level) == ("RGPD-01", 3, True, 2)
    assert first.applies_if == "processes_personal_data"
    assert [level.value for level in first.levels] == [0, 1, 2, 3]
    assert document.thresholds == {"approve": 75, "approve_with_conditions": 55}


def _mutate(path: str, value):
    """framework_data() with the value at a dotted path (list indexes as numbers) replaced;
    the value ``DELETE`` removes the key."""
    data = framework_data()
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value == "DELETE":
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return yaml_text(data)


def _levels(*values):
    return [{"value": v, "label": f"Niveau {v}", "descriptor": f"Descripteur {v}."} for v in values]


# (case, file text, expected field, text expected on the reported line)
BAD_FILES = [
    (
        "duplicate criterion code",
        _mutate("domains.1.criteria.1.code", "PEDA-01"),
        "domains[1].criteria[1].code",
        "code: PEDA-01",
    ),
    (
        "duplicate domain code",
        _mutate("domains.2", {**framework_data()["domains"][1], "name": "Bis"}),
        "domains[2].code",
        "code: PEDA",
    ),
    (
        "zero weight",
        _mutate("domains.1.criteria.0.weight", 0),
        "domains[1].criteria[0].weight",
        "weight: 0",
    ),
    ("negative domain weight", _mutate("domains.0.weight", -1), "domains[0].weight", "weight: -1"),
    (
        "weight not a number",
        _mutate("domains.1.weight", "lourd"),
        "domains[1].weight",
        "weight: lourd",
    ),
    ("weight a boolean", _mutate("domains.1.weight", True), "domains[1].weight", "weight: true"),
    (
        "a level missing",
        _mutate("domains.1.criteria.0.levels", _levels(0, 1, 2)),
        "domains[1].criteria[0].levels",
        "levels:",
    ),
    (
        "a level twice",
        _mutate("domains.1.criteria.0.levels", _levels(0, 1, 2, 2)),
        "domains[1].criteria[0].levels[3].value",
        "value: 2",
    ),
    (
        "a level out of range",
        _mutate("domains.1.criteria.0.levels", _levels(0, 1, 2, 3, 4)),
        "domains[1].criteria[0].levels[4].value",
        "value: 4",
    ),
    (
        "an empty descriptor",
        _mutate("domains.1.criteria.0.levels.2.descriptor", ""),
        "domains[1].criteria[0].levels[2].descriptor",
        "descriptor:",
    ),
    (
        "eliminatory without minimum level",
        _mutate("domains.0.criteria.0.min_level", "DELETE"),
        "domains[0].criteria[0].min_level",
        "code: RGPD-01",
    ),
    (
        "eliminatory with minimum level 0",
        _mutate("domains.0.criteria.0.min_level", 0),
        "domains[0].criteria[0].min_level",
        "min_level: 0",
    ),
    (
        "minimum level on a criterion that is not eliminatory",
        _mutate("domains.1.criteria.1.min_level", 2),
        "domains[1].criteria[1].min_level",
        "min_level: 2",
    ),
    (
        "unknown attribute",
        _mutate("domains.1.criteria.0.applies_if", "is_cool"),
        "domains[1].criteria[0].applies_if",
        "applies_if: is_cool",
    ),
    (
        "unknown field",
        _mutate("domains.1.criteria.0.titre", "Faute de frappe"),
        "domains[1].criteria[0].titre",
        "titre:",
    ),
    (
        "missing title",
        _mutate("domains.1.criteria.0.title", "DELETE"),
        "domains[1].criteria[0].title",
        "code: PEDA-01",
    ),
    (
        "criterion code not of its domain",
        _mutate("domains.1.criteria.0.code", "RGPD-09"),
        "domains[1].criteria[0].code",
        "code: RGPD-09",
    ),
    ("bad domain code", _mutate("domains.1.code", "peda"), "domains[1].code", "code: peda"),
    (
        "thresholds reversed",
        _mutate("thresholds", {"approve": 50, "approve_with_conditions": 60}),
        "thresholds",
        "approve: 50",
    ),
    ("version not a string", _mutate("version", 2026.1), "version", "version: 2026.1"),
    ("no domain", _mutate("domains", []), "domains", "domains: []"),
    (
        "a domain without criteria",
        _mutate("domains.2.criteria", []),
        "domains[2].criteria",
        "criteria: []",
    ),
    ("missing thresholds", _mutate("thresholds", "DELETE"), "thresholds", "framework:"),
    ("not YAML", yaml_text() + "  - ]\n", "(file)", None),
    ("a list instead of a mapping", "- un\n- deux\n", "", "- un"),
    (
        "duplicate key",
        yaml_text().replace("version: '2026.1'", "version: '1'\nversion: '2'"),
        "version",
        "version: '2'",
    ),
]


@pytest.mark.parametrize(
    ("text", "field", "snippet"),
    [case[1:] for case in BAD_FILES],
    ids=[case[0] for case in BAD_FILES],
)
def test_a_bad_file_is_refused_with_line_and_field(text, field, snippet):
    with pytest.raises(documents.DocumentError) as caught:
        documents.parse(text)
    problems = [p for p in caught.value.problems if p.field == field]
    assert problems, caught.value.problems
    problem = problems[0]
    assert problem.line is not None and problem.message
    if snippet is not None:
        assert snippet in text.splitlines()[problem.line - 1]
    assert f"line {problem.line}, {field}: " in str(caught.value)


def test_every_error_is_reported_not_only_the_first():
    data = framework_data()
    data["domains"][0]["weight"] = 0
    data["domains"][1]["criteria"][0]["applies_if"] = "nope"
    data["domains"][2]["criteria"].append(criterion("ACCES-01"))
    with pytest.raises(documents.DocumentError) as caught:
        documents.parse(yaml_text(data))
    fields = {p.field for p in caught.value.problems}
    assert {
        "domains[0].weight",
        "domains[1].criteria[0].applies_if",
        "domains[2].criteria[1].code",
    } <= fields


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    "text", [case[1] for case in BAD_FILES[:6]], ids=[case[0] for case in BAD_FILES[:6]]
)
def test_a_refused_file_writes_nothing(text):
    with pytest.raises(documents.DocumentError):
        operations.import_text(text, publish=True)
    db.session.rollback()
    assert [_count(m) for m in (Framework, FrameworkVersion, Criterion, Level)] == [0, 0, 0, 0]


def test_importing_an_existing_version_is_refused_and_changes_nothing():
    operations.import_text(yaml_text())
    db.session.commit()
    changed = framework_data(label="Autre titre")
    from accelerator.core.errors import Invalid

    with pytest.raises(Invalid) as caught:
        operations.import_text(yaml_text(changed))
    db.session.rollback()
    assert "version" in caught.value.errors
    assert _count(FrameworkVersion) == 1
    assert db.session.scalar(select(FrameworkVersion.label)) == "Cadre de test — version 2026.1"


def test_export_of_an_imported_version_reimports_identically():
    original = documents.parse(yaml_text())
    version = operations.import_document(original)
    db.session.commit()
    exported = operations.export_text(db.session.get(FrameworkVersion, version.id))
    assert documents.parse(exported) == original
    # and importing the export (as another version) gives the same content again
    second = operations.import_text(exported.replace("version: '2026.1'", "version: '2026.9'"))
    db.session.commit()
    again = documents.parse(operations.export_text(second))
    assert again.domains == original.domains and again.thresholds == original.thresholds


def test_long_and_multiline_texts_survive_the_round_trip():
    data = framework_data()
    data["domains"][0]["description"] = "Un très long paragraphe. " * 12
    data["domains"][1]["criteria"][0]["guidance"] = (
        "Première ligne : avec deux-points.\nSeconde ligne « guillemets »."
    )
    document = documents.parse(yaml_text(data))
    assert documents.parse(documents.dump(document)) == document
