"""Versions: drafting, editing, publishing and retiring; a published version never changes,
whether through the operations or any other code path (the flush guard)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update

from accelerator.accounts.models import Role
from accelerator.core.errors import Conflict, Forbidden, Invalid
from accelerator.criteria import operations
from accelerator.criteria.models import (
    Criterion,
    Domain,
    FrameworkVersion,
    Level,
    VersionStatus,
)
from accelerator.extensions import db
from tests.criteria.helpers import framework_data, yaml_text
from tests.factories import make_user

LEVELS = [("Non", "Rien."), ("Un peu", "Un peu."), ("Oui", "Oui."), ("Très", "Très bien.")]


def criterion_data(code="PEDA-03", **fields):
    data = {
        "code": code,
        "title": "Nouveau critère",
        "guidance": "Ce qu'il demande.",
        "evidence_expected": "Une preuve.",
        "weight": 1.0,
        "eliminatory": False,
        "min_level": 0,
        "applies_if": None,
        "levels": LEVELS,
    }
    data.update(fields)
    return data


@pytest.fixture
def admin():
    return make_user(Role.admin)


@pytest.fixture
def published():
    version = operations.import_text(yaml_text(), publish=True)
    db.session.commit()
    return version


def _published_count() -> int:
    return db.session.scalar(
        select(func.count(FrameworkVersion.id)).where(
            FrameworkVersion.status == VersionStatus.published
        )
    )


def test_import_with_publish_puts_the_version_in_force(published):
    assert published.status == VersionStatus.published and published.published_at
    assert FrameworkVersion.in_force() == published
    assert len(published.criteria()) == 5


def test_a_draft_is_a_deep_copy_of_the_version_in_force(admin, published):
    draft = operations.draft_from(admin)
    db.session.commit()
    assert draft.status == VersionStatus.draft and draft.version == "2026.2"
    assert draft.based_on_id == published.id and "2026.2" in draft.label
    assert [c.code for c in draft.criteria()] == [c.code for c in published.criteria()]
    assert {c.id for c in draft.criteria()}.isdisjoint({c.id for c in published.criteria()})
    copy, original = draft.criterion("RGPD-01"), published.criterion("RGPD-01")
    assert [(lv.value, lv.descriptor) for lv in copy.levels] == [
        (lv.value, lv.descriptor) for lv in original.levels
    ]
    assert all(c.version_id == draft.id for c in draft.criteria())


def test_editing_a_draft_then_publishing_retires_the_previous_version(admin, published):
    draft = operations.draft_from(admin)
    peda = next(d for d in draft.domains if d.code == "PEDA")
    operations.add_criterion(admin, peda, criterion_data())
    operations.update_criterion(
        admin, draft.criterion("PEDA-01"), criterion_data("PEDA-01", weight=5.0)
    )
    operations.delete_criterion(admin, draft.criterion("PEDA-02"))
    operations.update_version(
        admin,
        draft,
        {"version": "2027.1", "label": "Cadre 2027", "approve": 80, "approve_with_conditions": 60},
    )
    operations.publish_version(admin, draft)
    db.session.commit()
    db.session.expire_all()
    assert published.status == VersionStatus.retired and published.retired_at
    assert draft.status == VersionStatus.published
    assert FrameworkVersion.in_force() == draft and _published_count() == 1
    peda = next(d for d in draft.domains if d.code == "PEDA")
    assert [c.code for c in peda.criteria] == ["PEDA-01", "PEDA-03"]
    assert draft.criterion("PEDA-01").weight == 5.0
    assert draft.thresholds == {"approve": 80, "approve_with_conditions": 60}
    # the retired version kept its content
    assert published.criterion("PEDA-02") is not None
    assert published.criterion("PEDA-01").weight == 2.0


def test_exactly_one_version_in_force_after_successive_publications(admin, published):
    for _ in range(3):
        operations.publish_version(admin, operations.draft_from(admin))
        db.session.commit()
        assert _published_count() == 1
    statuses = db.session.scalars(select(FrameworkVersion.status).order_by(FrameworkVersion.id))
    assert list(statuses) == [VersionStatus.retired] * 3 + [VersionStatus.published]


def test_the_database_refuses_two_versions_in_force():
    from sqlalchemy.exc import IntegrityError

    first = operations.import_text(yaml_text(), publish=True)
    second = operations.import_text(yaml_text(framework_data(version="2026.2")))
    db.session.flush()
    assert first.status == VersionStatus.published
    with pytest.raises(IntegrityError):
        db.session.connection().execute(
            FrameworkVersion.__table__.update()
            .where(FrameworkVersion.id == second.id)
            .values(status="published")
        )
    db.session.rollback()


def test_retiring_the_only_version_in_force_is_refused(admin, published):
    with pytest.raises(Conflict):
        operations.retire_version(admin, published)


def test_retiring_is_allowed_when_another_framework_stays_in_force(admin, published):
    other = framework_data(framework={"code": "autre-cadre", "name": "Autre"})
    operations.import_text(yaml_text(other), publish=True)
    operations.retire_version(admin, published)
    db.session.commit()
    assert published.status == VersionStatus.retired and _published_count() == 1


def test_only_a_draft_is_published(admin, published):
    with pytest.raises(Conflict):
        operations.publish_version(admin, published)


def test_a_draft_breaking_the_rules_is_not_published(admin, published):
    draft = operations.draft_from(admin)
    operations.add_domain(admin, draft, {"code": "VIDE", "name": "Vide", "weight": 1})
    with pytest.raises(Invalid) as caught:
        operations.publish_version(admin, draft)
    assert any("criteria" in message for message in caught.value.errors["version"])
    assert draft.status == VersionStatus.draft


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "PEDA-01"}, "code"),  # already used in the version
        ({"code": "RGPD-09"}, "code"),  # not of its domain
        ({"weight": 0}, "weight"),
        ({"weight": -2.0}, "weight"),
        ({"eliminatory": True, "min_level": 0}, "min_level"),
        ({"eliminatory": False, "min_level": 2}, "min_level"),
        ({"applies_if": "is_cool"}, "applies_if"),
        ({"levels": LEVELS[:3]}, "levels"),
        ({"levels": [*LEVELS[:3], ("Très", "")]}, "levels"),
    ],
)
def test_criterion_rules_are_enforced_by_the_operations(admin, published, change, field):
    draft = operations.draft_from(admin)
    peda = next(d for d in draft.domains if d.code == "PEDA")
    with pytest.raises(Invalid) as caught:
        operations.add_criterion(admin, peda, criterion_data(**change))
    assert field in caught.value.errors


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "PEDA"}, "code"),
        ({"code": "bad"}, "code"),
        ({"weight": 0}, "weight"),
    ],
)
def test_domain_rules_are_enforced(admin, published, data, field):
    draft = operations.draft_from(admin)
    with pytest.raises(Invalid) as caught:
        operations.add_domain(admin, draft, {"code": "NEUF", "name": "Neuf", "weight": 1, **data})
    assert field in caught.value.errors


def test_a_domain_with_criteria_keeps_its_code(admin, published):
    draft = operations.draft_from(admin)
    peda = next(d for d in draft.domains if d.code == "PEDA")
    with pytest.raises(Invalid):
        operations.update_domain(admin, peda, {"code": "PEDAG", "name": "P", "weight": 1})


def test_thresholds_must_be_ordered(admin, published):
    draft = operations.draft_from(admin)
    with pytest.raises(Invalid):
        operations.update_version(
            admin,
            draft,
            {"version": "2027.1", "label": "x", "approve": 50, "approve_with_conditions": 70},
        )


def test_only_admins_manage_the_framework(published):
    for role in (Role.manager, Role.expert, Role.company):
        with pytest.raises(Forbidden):
            operations.draft_from(make_user(role))


# Every operation that edits content refuses a published version, with a clear message.
EDITS = [
    lambda a, v: operations.update_version(
        a, v, {"version": "9", "label": "x", "approve": 70, "approve_with_conditions": 50}
    ),
    lambda a, v: operations.add_domain(a, v, {"code": "NEUF", "name": "N", "weight": 1}),
    lambda a, v: operations.update_domain(
        a, v.domains[0], {"code": "RGPD", "name": "Autre", "weight": 1}
    ),
    lambda a, v: operations.delete_domain(a, v.domains[0]),
    lambda a, v: operations.add_criterion(a, v.domains[1], criterion_data()),
    lambda a, v: operations.update_criterion(
        a, v.criterion("PEDA-01"), criterion_data("PEDA-01", title="Changé")
    ),
    lambda a, v: operations.delete_criterion(a, v.criterion("PEDA-01")),
    lambda a, v: operations.delete_draft(a, v),
]


@pytest.mark.parametrize("status", [VersionStatus.published, VersionStatus.retired])
@pytest.mark.parametrize("edit", EDITS)
def test_operations_refuse_to_change_a_published_or_retired_version(admin, published, edit, status):
    if status == VersionStatus.retired:
        operations.publish_version(admin, operations.draft_from(admin))
        db.session.commit()
    assert published.status == status
    before = operations.export_text(published)
    with pytest.raises(Conflict):
        edit(admin, published)
    db.session.rollback()
    db.session.expire_all()
    assert operations.export_text(db.session.get(FrameworkVersion, published.id)) == before


# Direct writes, bypassing the operations: the flush guard refuses them.
def _set_title(v):
    v.criterion("PEDA-01").title = "Changé en douce"


def _set_descriptor(v):
    v.criterion("PEDA-01").levels[2].descriptor = "Autre chose"


def _set_domain_weight(v):
    v.domains[0].weight = 10


def _set_thresholds(v):
    v.thresholds = {"approve": 10, "approve_with_conditions": 5}


def _set_label(v):
    v.label = "Autre titre"


def _back_to_draft(v):
    v.status = VersionStatus.draft


def _add_criterion(v):
    db.session.add(
        Criterion(domain=v.domains[1], version_id=v.id, code="PEDA-09", title="Ajouté", position=9)
    )


def _add_level_row(v):
    c = v.criterion("PEDA-01")
    db.session.add(Level(criterion_id=c.id, value=7, label="x"))


def _delete_criterion(v):
    db.session.delete(v.criterion("PEDA-01"))


def _delete_level(v):
    db.session.delete(v.criterion("PEDA-01").levels[0])


def _delete_domain(v):
    db.session.delete(v.domains[0])


def _delete_version(v):
    db.session.delete(v)


def _remove_from_collection(v):
    v.domains[1].criteria.pop()


DIRECT_WRITES = [
    _set_title,
    _set_descriptor,
    _set_domain_weight,
    _set_thresholds,
    _set_label,
    _back_to_draft,
    _add_criterion,
    _add_level_row,
    _delete_criterion,
    _delete_level,
    _delete_domain,
    _delete_version,
    _remove_from_collection,
]


@pytest.mark.parametrize("write", DIRECT_WRITES, ids=[w.__name__ for w in DIRECT_WRITES])
def test_the_flush_guard_refuses_any_change_to_a_published_version(published, write):
    before = operations.export_text(published)
    write(published)
    with pytest.raises(Conflict):
        db.session.flush()
    db.session.rollback()
    db.session.expire_all()
    assert operations.export_text(db.session.get(FrameworkVersion, published.id)) == before


def test_the_flush_guard_refuses_a_change_to_a_retired_version(admin, published):
    operations.publish_version(admin, operations.draft_from(admin))
    db.session.commit()
    published.status = VersionStatus.published
    with pytest.raises(Conflict):
        db.session.flush()
    db.session.rollback()


def test_the_flush_guard_sees_a_status_set_without_loading_it(published):
    db.session.expire_all()  # the status is not loaded: the guard asks the database
    version = db.session.get(FrameworkVersion, published.id)
    db.session.expire(version)
    version.status = VersionStatus.draft
    with pytest.raises(Conflict):
        db.session.flush()
    db.session.rollback()


def test_the_flush_guard_lets_drafts_change_and_a_published_version_retire(admin, published):
    draft = operations.draft_from(admin)
    db.session.commit()
    draft.criterion("PEDA-01").title = "Libre sur un brouillon"
    draft.domains[0].weight = 7
    db.session.flush()
    published.status = VersionStatus.retired
    published.retired_at = published.published_at
    db.session.flush()
    db.session.rollback()


def test_a_draft_can_be_deleted(admin, published):
    draft = operations.draft_from(admin)
    db.session.commit()
    operations.delete_draft(admin, draft)
    db.session.commit()
    assert db.session.scalar(select(func.count(FrameworkVersion.id))) == 1
    assert (
        db.session.scalar(select(func.count(Domain.id)).where(Domain.version_id == draft.id)) == 0
    )


@pytest.mark.parametrize(
    "statement",
    [
        lambda: update(Criterion).values(title="En masse"),
        lambda: delete(Level),
        lambda: update(Domain).values(weight=9),
        lambda: update(FrameworkVersion).values(status=VersionStatus.draft),
        lambda: Criterion.__table__.delete(),
    ],
)
def test_bulk_writes_on_versions_are_refused(published, statement):
    before = operations.export_text(published)
    with pytest.raises(Conflict):
        db.session.execute(statement())
    db.session.rollback()
    db.session.expire_all()
    assert operations.export_text(db.session.get(FrameworkVersion, published.id)) == before


def test_a_race_on_a_code_answers_conflict_not_an_error(admin, published, monkeypatch):
    # Two administrators adding the same code at once: both pass the check, the database
    # refuses the second row.
    draft = operations.draft_from(admin)
    peda = next(d for d in draft.domains if d.code == "PEDA")
    monkeypatch.setattr(operations, "_check_criterion", lambda *args: None)
    with pytest.raises(Conflict):
        operations.add_criterion(admin, peda, criterion_data("PEDA-01"))
    db.session.rollback()
