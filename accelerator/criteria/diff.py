"""Differences between two framework versions (a draft and the version in force)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from accelerator.criteria.document import CriterionDoc, DomainDoc, FrameworkDocument

FIELD_LABELS = {
    "version": _l("Version"),
    "label": _l("Title"),
    "thresholds": _l("Thresholds"),
    "name": _l("Name"),
    "description": _l("Description"),
    "weight": _l("Weight"),
    "floor": _l("Floor"),
    "domain": _l("Domain"),
    "title": _l("Title"),
    "guidance": _l("Guidance"),
    "evidence_expected": _l("Evidence expected"),
    "eliminatory": _l("Eliminatory"),
    "min_level": _l("Minimum level"),
    "applies_if": _l("Applies if"),
    "public": _l("Public level"),
    "levels": _l("Levels"),
}


@dataclass(frozen=True)
class Change:
    field: str
    old: object
    new: object

    @property
    def label(self) -> str:
        if self.field.startswith("level "):
            return f"{_l('Level')} {self.field.removeprefix('level ')}"
        return str(FIELD_LABELS.get(self.field, self.field))


@dataclass(frozen=True)
class ItemDiff:
    code: str
    #: added | removed | changed
    kind: str
    title: str
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class VersionDiff:
    version_changes: list[Change]
    domains: list[ItemDiff]
    criteria: list[ItemDiff]

    @property
    def is_empty(self) -> bool:
        return not (self.version_changes or self.domains or self.criteria)


def _changes(old: object, new: object, names: tuple[str, ...]) -> list[Change]:
    return [
        Change(name, getattr(old, name), getattr(new, name))
        for name in names
        if getattr(old, name) != getattr(new, name)
    ]


def _criterion_changes(
    old: CriterionDoc, new: CriterionDoc, old_domain: str, new_domain: str
) -> list[Change]:
    changes = []
    if old_domain != new_domain:
        changes.append(Change("domain", old_domain, new_domain))
    changes += _changes(
        old,
        new,
        (
            "title",
            "guidance",
            "evidence_expected",
            "weight",
            "eliminatory",
            "min_level",
            "applies_if",
            "public",
        ),
    )
    old_levels = {level.value: level for level in old.levels}
    for level in new.levels:
        before = old_levels.get(level.value)
        if before is None or (before.label, before.descriptor) != (level.label, level.descriptor):
            changes.append(
                Change(
                    f"level {level.value}",
                    f"{before.label} — {before.descriptor}" if before else None,
                    f"{level.label} — {level.descriptor}",
                )
            )
    return changes


def diff(old: FrameworkDocument | None, new: FrameworkDocument) -> VersionDiff:
    """What changes from ``old`` (None: nothing in force) to ``new``."""
    version_changes: list[Change] = []
    old_domains: dict[str, DomainDoc] = {}
    old_criteria: dict[str, tuple[str, CriterionDoc]] = {}
    if old is not None:
        version_changes = _changes(old, new, ("version", "label", "thresholds"))
        old_domains = {d.code: d for d in old.domains}
        old_criteria = {c.code: (d.code, c) for d in old.domains for c in d.criteria}
    new_domains = {d.code: d for d in new.domains}
    new_criteria = {c.code: (d.code, c) for d in new.domains for c in d.criteria}

    domains: list[ItemDiff] = []
    for code, domain in new_domains.items():
        if code not in old_domains:
            domains.append(ItemDiff(code, "added", domain.name))
        else:
            fields = ("name", "description", "weight", "floor")
            changes = _changes(old_domains[code], domain, fields)
            if changes:
                domains.append(ItemDiff(code, "changed", domain.name, changes))
    domains += [
        ItemDiff(code, "removed", domain.name)
        for code, domain in old_domains.items()
        if code not in new_domains
    ]

    criteria: list[ItemDiff] = []
    for code, (domain_code, criterion) in new_criteria.items():
        if code not in old_criteria:
            criteria.append(ItemDiff(code, "added", criterion.title))
            continue
        old_domain, old_criterion = old_criteria[code]
        changes = _criterion_changes(old_criterion, criterion, old_domain, domain_code)
        if changes:
            criteria.append(ItemDiff(code, "changed", criterion.title, changes))
    criteria += [
        ItemDiff(code, "removed", criterion.title)
        for code, (_, criterion) in old_criteria.items()
        if code not in new_criteria
    ]
    return VersionDiff(version_changes, domains, criteria)
