"""Operations on the cadre de confiance: import, draft, edit, publish, retire.

Only administrators act here (the command line acts as the system, ``actor=None``). A
published or retired version never changes: every operation that edits content refuses
it with a Conflict, and a flush guard in ``models`` refuses it for any other code path.
Operations write and flush; the request (or the command) commits once at the end.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.models import Role
from accelerator.core.db import is_postgresql, utcnow
from accelerator.core.errors import Conflict, Forbidden, Invalid
from accelerator.criteria import document as documents
from accelerator.criteria import rules
from accelerator.criteria.models import (
    Criterion,
    Domain,
    Framework,
    FrameworkVersion,
    Level,
    VersionStatus,
)
from accelerator.extensions import db

DATA_DIR = Path(__file__).resolve().parent / "data"
#: The default framework, loaded by ``make run`` (``flask criteria load-default``).
DEFAULT_FILE = DATA_DIR / "cadre-de-confiance-2026.2.yaml"
#: Earlier shipped versions, kept unchanged for the audits scored on them.
PREVIOUS_FILES = (DATA_DIR / "cadre-de-confiance-2026.yaml",)


def _require_admin(actor) -> None:
    if actor is not None and actor.role != Role.admin:
        raise Forbidden(gettext("Only an administrator manages the cadre de confiance."))


def require_draft(version: FrameworkVersion) -> None:
    if version.status != VersionStatus.draft:
        raise Conflict(
            gettext(
                "This version is %(status)s: a published or retired version never changes. "
                "Draft a new version to change the criteria.",
                status=str(version.status.label).lower(),
            )
        )


def _locked(version: FrameworkVersion) -> FrameworkVersion:
    """The version, its row locked until the end of the transaction on PostgreSQL."""
    if is_postgresql():
        db.session.execute(
            select(FrameworkVersion.id).where(FrameworkVersion.id == version.id).with_for_update()
        )
        db.session.refresh(version)
    return version


def _invalid(field: str, message: str) -> Invalid:
    return Invalid(message, {field: [message]})


def _flush_or_conflict() -> None:
    """Flush, turning a unique-constraint race (two administrators at the same moment, the
    same code or version number) into a Conflict instead of an error page."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(
            gettext("Someone else made the same change at the same moment: reload and try again.")
        ) from None


# --- Import and export ---------------------------------------------------------------------


def _build_criterion(version: FrameworkVersion, doc: documents.CriterionDoc, position: int):
    criterion = Criterion(
        version=version,
        code=doc.code,
        title=doc.title,
        guidance=doc.guidance,
        evidence_expected=doc.evidence_expected,
        weight=float(doc.weight),
        eliminatory=doc.eliminatory,
        min_level=doc.min_level,
        applies_if=doc.applies_if,
        public=doc.public,
        position=position,
    )
    criterion.levels = [
        Level(value=level.value, label=level.label, descriptor=level.descriptor)
        for level in doc.levels
    ]
    return criterion


def _fill(version: FrameworkVersion, document: documents.FrameworkDocument) -> None:
    for position, domain_doc in enumerate(document.domains):
        domain = Domain(
            code=domain_doc.code,
            name=domain_doc.name,
            description=domain_doc.description,
            weight=float(domain_doc.weight),
            floor=domain_doc.floor,
            position=position,
        )
        version.domains.append(domain)
        for index, criterion_doc in enumerate(domain_doc.criteria):
            domain.criteria.append(_build_criterion(version, criterion_doc, index))


def import_document(
    document: documents.FrameworkDocument, publish: bool = False, actor=None
) -> FrameworkVersion:
    """Store a checked document as a new draft version (published at once with ``publish``)."""
    _require_admin(actor)
    framework = db.session.scalar(
        select(Framework).where(Framework.code == document.framework_code)
    )
    if framework is None:
        framework = Framework(code=document.framework_code, name=document.framework_name)
        db.session.add(framework)
    elif _version_exists(framework, document.version):
        raise _invalid(
            "version",
            gettext(
                "Version %(version)s of %(framework)s already exists.",
                version=document.version,
                framework=framework.code,
            ),
        )
    version = FrameworkVersion(
        framework=framework,
        version=document.version,
        label=document.label,
        status=VersionStatus.draft,
        thresholds=dict(document.thresholds),
    )
    db.session.add(version)
    _fill(version, document)
    _flush_or_conflict()
    if publish:
        publish_version(actor, version)
    return version


def import_text(text: str, publish: bool = False, actor=None) -> FrameworkVersion:
    """Parse and import a YAML text; ``DocumentError`` when the file is refused."""
    return import_document(documents.parse(text), publish=publish, actor=actor)


def _version_exists(framework: Framework, version: str) -> bool:
    return (
        db.session.scalar(
            select(FrameworkVersion.id).where(
                FrameworkVersion.framework_id == framework.id,
                FrameworkVersion.version == version,
            )
        )
        is not None
    )


def load_default(path: Path | None = None) -> tuple[FrameworkVersion, bool]:
    """Import and publish the shipped framework unless that version is already stored.

    It goes through the normal flow (a draft, then published), so on a database where an
    earlier version (2026.1) is in force, that one is retired and keeps its content for the
    audits scored on it. Returns the version and whether it was created now (idempotent: safe
    on every start).
    """
    path = path or DEFAULT_FILE  # read when called, so a configured file is honoured
    document = documents.parse(path.read_text(encoding="utf-8"))
    existing = db.session.scalar(
        select(FrameworkVersion)
        .join(Framework)
        .where(Framework.code == document.framework_code)
        .where(FrameworkVersion.version == document.version)
    )
    if existing is not None:
        return existing, False
    return import_document(document, publish=True), True


def export_text(version: FrameworkVersion) -> str:
    return documents.dump(documents.document_of(version))


# --- Drafting and editing ------------------------------------------------------------------


def _next_version_label(framework: Framework, base: str) -> str:
    """The next free version number: "2026.1" gives "2026.2"; "v" gives "v-1"."""
    taken = set(
        db.session.scalars(
            select(FrameworkVersion.version).where(FrameworkVersion.framework_id == framework.id)
        )
    )
    match = re.fullmatch(r"(.*?)(\d+)", base)
    for step in range(1, 1000):
        if match:
            candidate = f"{match.group(1)}{int(match.group(2)) + step}"
        else:
            candidate = f"{base}-{step}"[:20]
        if candidate not in taken and rules.VERSION_LABEL.match(candidate):
            return candidate
    raise Conflict(gettext("No free version number: choose one yourself."))


def draft_from(actor, source: FrameworkVersion | None = None) -> FrameworkVersion:
    """A new draft, a deep copy of ``source`` (by default the version in force)."""
    _require_admin(actor)
    source = source or FrameworkVersion.in_force()
    if source is None:
        raise Conflict(gettext("No version is in force to copy: import a framework file first."))
    new_label = _next_version_label(source.framework, source.version)
    draft = FrameworkVersion(
        framework=source.framework,
        version=new_label,
        label=source.label.replace(source.version, new_label)
        if source.version in source.label
        else f"{source.label} ({new_label})",
        status=VersionStatus.draft,
        thresholds=dict(source.thresholds or {}),
        based_on_id=source.id,
    )
    db.session.add(draft)
    document = documents.document_of(source)
    _fill(draft, document)
    _flush_or_conflict()
    return draft


def update_version(actor, version: FrameworkVersion, data: dict) -> FrameworkVersion:
    """Change a draft's version number, label and thresholds."""
    _require_admin(actor)
    require_draft(_locked(version))
    if not rules.VERSION_LABEL.match(data["version"]):
        raise _invalid(
            "version", gettext("Letters, digits, dots and hyphens only, such as 2026.1.")
        )
    if data["version"] != version.version and _version_exists(version.framework, data["version"]):
        raise _invalid("version", gettext("This version number is already used."))
    error = rules.thresholds_error(data["approve"], data["approve_with_conditions"])
    if error:
        raise _invalid("approve_with_conditions", error)
    version.version = data["version"]
    version.label = data["label"]
    version.thresholds = {
        "approve": _number(data["approve"]),
        "approve_with_conditions": _number(data["approve_with_conditions"]),
    }
    _flush_or_conflict()
    return version


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _check_weight(value: object) -> None:
    if not rules.is_weight(value):
        raise _invalid("weight", gettext("A weight is a number greater than 0."))


def add_domain(actor, version: FrameworkVersion, data: dict) -> Domain:
    _require_admin(actor)
    require_draft(_locked(version))
    _check_domain(version, data, None)
    domain = Domain(
        code=data["code"],
        name=data["name"],
        description=data.get("description") or "",
        weight=float(data["weight"]),
        floor=data.get("floor"),
        position=max((d.position for d in version.domains), default=-1) + 1,
    )
    version.domains.append(domain)
    _flush_or_conflict()
    return domain


def _check_domain(version: FrameworkVersion, data: dict, domain: Domain | None) -> None:
    if not rules.DOMAIN_CODE.match(data["code"]):
        raise _invalid("code", gettext("2 to 10 capital letters, such as RGPD."))
    if any(d.code == data["code"] and d is not domain for d in version.domains):
        raise _invalid("code", gettext("Another domain of this version has this code."))
    if domain is not None and domain.criteria and data["code"] != domain.code:
        raise _invalid(
            "code",
            gettext(
                "The code of a domain that has criteria cannot change: their codes start with it."
            ),
        )
    _check_weight(data["weight"])
    error = rules.floor_error(data.get("floor"))
    if error:
        raise _invalid("floor", error)


def update_domain(actor, domain: Domain, data: dict) -> Domain:
    _require_admin(actor)
    require_draft(_locked(domain.version))
    _check_domain(domain.version, data, domain)
    domain.code = data["code"]
    domain.name = data["name"]
    domain.description = data.get("description") or ""
    domain.weight = float(data["weight"])
    domain.floor = data.get("floor")
    _flush_or_conflict()
    return domain


def delete_domain(actor, domain: Domain) -> None:
    _require_admin(actor)
    version = domain.version
    require_draft(_locked(version))
    version.domains.remove(domain)
    db.session.flush()


def _check_criterion(domain: Domain, data: dict, criterion: Criterion | None) -> None:
    if not rules.criterion_code_pattern(domain.code).match(data["code"]):
        raise _invalid(
            "code",
            gettext(
                "The code is the domain's code, a hyphen and two digits, such as %(example)s.",
                example=domain.code + "-01",
            ),
        )
    taken = db.session.scalar(
        select(func.count(Criterion.id)).where(
            Criterion.version_id == domain.version_id,
            Criterion.code == data["code"],
            Criterion.id != (criterion.id if criterion is not None else -1),
        )
    )
    if taken:
        raise _invalid("code", gettext("Another criterion of this version has this code."))
    _check_weight(data["weight"])
    error = rules.min_level_error(bool(data["eliminatory"]), data["min_level"])
    if error:
        raise _invalid("min_level", error)
    if data.get("applies_if") and data["applies_if"] not in rules.ATTRIBUTES:
        raise _invalid("applies_if", gettext("Unknown solution attribute."))
    levels = data["levels"]
    if len(levels) != len(rules.LEVEL_VALUES) or not all(
        label and descriptor for label, descriptor in levels
    ):
        raise _invalid("levels", gettext("Describe each of the four levels, 0 to 3."))


def _apply_criterion(criterion: Criterion, data: dict) -> None:
    criterion.code = data["code"]
    criterion.title = data["title"]
    criterion.guidance = data["guidance"]
    criterion.evidence_expected = data["evidence_expected"]
    criterion.weight = float(data["weight"])
    criterion.eliminatory = bool(data["eliminatory"])
    criterion.min_level = int(data["min_level"])
    criterion.applies_if = data.get("applies_if") or None
    criterion.public = bool(data.get("public", criterion.public))
    by_value = {level.value: level for level in criterion.levels}
    for value, (label, descriptor) in zip(rules.LEVEL_VALUES, data["levels"], strict=True):
        level = by_value.get(value)
        if level is None:
            criterion.levels.append(Level(value=value, label=label, descriptor=descriptor))
        else:
            level.label, level.descriptor = label, descriptor


def add_criterion(actor, domain: Domain, data: dict) -> Criterion:
    """A criterion at the end of ``domain``; ``data["levels"]`` is four (label, descriptor)."""
    _require_admin(actor)
    require_draft(_locked(domain.version))
    _check_criterion(domain, data, None)
    criterion = Criterion(
        version=domain.version,
        position=max((c.position for c in domain.criteria), default=-1) + 1,
    )
    _apply_criterion(criterion, data)
    domain.criteria.append(criterion)
    _flush_or_conflict()
    return criterion


def update_criterion(actor, criterion: Criterion, data: dict) -> Criterion:
    _require_admin(actor)
    require_draft(_locked(criterion.domain.version))
    _check_criterion(criterion.domain, data, criterion)
    _apply_criterion(criterion, data)
    _flush_or_conflict()
    return criterion


def delete_criterion(actor, criterion: Criterion) -> None:
    _require_admin(actor)
    domain = criterion.domain
    require_draft(_locked(domain.version))
    domain.criteria.remove(criterion)
    db.session.flush()


# --- Publishing and retiring ---------------------------------------------------------------


def publication_problems(version: FrameworkVersion) -> list[documents.Problem]:
    """What keeps a draft from being published: the very rules a framework file obeys."""
    text = export_text(version)
    try:
        documents.parse(text)
    except documents.DocumentError as error:
        return error.problems
    return []


def publish_version(actor, version: FrameworkVersion) -> FrameworkVersion:
    """Publish a draft; the version in force of the same framework is retired with it."""
    _require_admin(actor)
    require_draft(_locked(version))
    problems = publication_problems(version)
    if problems:
        raise Invalid(
            gettext("This version cannot be published yet."),
            {"version": [f"{p.field}: {p.message}" for p in problems]},
        )
    now = utcnow()
    current = FrameworkVersion.in_force_of(version.framework_id)
    if current is not None:
        _locked(current)
        current.status = VersionStatus.retired
        current.retired_at = now
        # Retire first: the database allows one published version per framework.
        db.session.flush()
    version.status = VersionStatus.published
    version.published_at = now
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(
            gettext("Another version was published at the same moment: reload and try again.")
        ) from None
    return version


def retire_version(actor, version: FrameworkVersion) -> FrameworkVersion:
    """Retire a published version; one version stays in force across the service."""
    _require_admin(actor)
    _locked(version)
    if version.status != VersionStatus.published:
        raise Conflict(gettext("Only the version in force can be retired."))
    others = db.session.scalar(
        select(func.count(FrameworkVersion.id)).where(
            FrameworkVersion.status == VersionStatus.published,
            FrameworkVersion.id != version.id,
        )
    )
    if not others:
        raise Conflict(
            gettext(
                "This is the only version in force: publish the next version instead, "
                "which retires this one."
            )
        )
    version.status = VersionStatus.retired
    version.retired_at = utcnow()
    db.session.flush()
    return version


def delete_draft(actor, version: FrameworkVersion) -> None:
    """Discard a draft (published and retired versions are kept for ever)."""
    _require_admin(actor)
    require_draft(_locked(version))
    db.session.delete(version)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(gettext("Audits refer to this draft: it cannot be deleted.")) from None
