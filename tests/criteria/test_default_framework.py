"""The shipped cadre de confiance: it loads, covers the 8 domains, and round-trips."""

from __future__ import annotations

from accelerator.criteria import document as documents
from accelerator.criteria import operations
from accelerator.criteria.models import FrameworkVersion, VersionStatus
from accelerator.criteria.rules import ATTRIBUTES
from accelerator.extensions import db


def _shipped() -> documents.FrameworkDocument:
    return documents.parse(operations.DEFAULT_FILE.read_text(encoding="utf-8"))


def test_the_shipped_file_loads_with_at_least_35_criteria_across_8_domains():
    document = _shipped()
    assert document.framework_code == "cadre-de-confiance"
    assert len(document.domains) == 8
    assert all(domain.criteria for domain in document.domains)
    criteria = list(document.criteria())
    assert len(criteria) >= 35
    assert any(c.eliminatory for c in criteria)
    assert {c.applies_if for c in criteria if c.applies_if} <= set(ATTRIBUTES)
    assert all(c.guidance and c.evidence_expected for c in criteria)


def test_the_shipped_file_round_trips():
    document = _shipped()
    assert documents.parse(documents.dump(document)) == document


def test_load_default_imports_and_publishes_once():
    version, created = operations.load_default()
    db.session.commit()
    assert created and version.status == VersionStatus.published
    again, created_again = operations.load_default()
    assert not created_again and again.id == version.id
    assert db.session.query(FrameworkVersion).count() == 1
    assert documents.document_of(version) == _shipped()
