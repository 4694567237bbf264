"""The shipped cadre de confiance: both versions load and round-trip; load-default puts the
newest in force through the draft → publish flow and leaves 2026.1 as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from accelerator.criteria import document as documents
from accelerator.criteria import operations
from accelerator.criteria.models import FrameworkVersion, VersionStatus
from accelerator.criteria.rules import ATTRIBUTES
from accelerator.extensions import db

FILE_2026_1 = operations.DATA_DIR / "cadre-de-confiance-2026.yaml"
FILE_2026_2 = operations.DATA_DIR / "cadre-de-confiance-2026.2.yaml"


def _parse(path: Path) -> documents.FrameworkDocument:
    return documents.parse(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("path", "version", "domains"),
    [(FILE_2026_1, "2026.1", 8), (FILE_2026_2, "2026.2", 9)],
)
def test_each_shipped_file_loads_with_at_least_35_criteria(path, version, domains):
    document = _parse(path)
    assert document.framework_code == "cadre-de-confiance"
    assert document.version == version
    assert len(document.domains) == domains
    assert all(domain.criteria for domain in document.domains)
    criteria = list(document.criteria())
    assert len(criteria) >= 35
    assert any(c.eliminatory for c in criteria)
    assert {c.applies_if for c in criteria if c.applies_if} <= set(ATTRIBUTES)
    assert all(c.guidance and c.evidence_expected for c in criteria)


@pytest.mark.parametrize("path", [FILE_2026_1, FILE_2026_2])
def test_each_shipped_file_round_trips(path):
    document = _parse(path)
    assert documents.parse(documents.dump(document)) == document


def test_the_default_file_is_2026_2():
    assert operations.DEFAULT_FILE == FILE_2026_2
    assert FILE_2026_1 in operations.PREVIOUS_FILES


def test_load_default_imports_and_publishes_2026_2_once_on_a_fresh_database():
    version, created = operations.load_default()
    db.session.commit()
    assert created and version.status == VersionStatus.published
    assert version.version == "2026.2"
    again, created_again = operations.load_default()
    assert not created_again and again.id == version.id
    assert db.session.query(FrameworkVersion).count() == 1
    assert documents.document_of(version) == _parse(FILE_2026_2)


def test_load_default_over_2026_1_retires_it_unchanged():
    old, _ = operations.load_default(FILE_2026_1)
    db.session.commit()
    new, created = operations.load_default()
    db.session.commit()
    assert created and new.status == VersionStatus.published
    db.session.refresh(old)
    assert old.status == VersionStatus.retired
    assert documents.document_of(old) == _parse(FILE_2026_1)
    assert FrameworkVersion.in_force().id == new.id
