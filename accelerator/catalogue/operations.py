"""Keeping the catalogue's index in step with the approvals.

``refresh_catalogue_entry(solution_id)`` is called by the audits operations whenever an
approval changes (decision, suspension, reinstatement, withdrawal, renewal) and by the
solution's edits; ``rebuild_catalogue()`` (``flask catalogue reindex``) rebuilds everything.
Both are idempotent: an entry is written only when its content changed, so its
``updated_at`` (and the public ETag) moves only then. Neither commits: the caller's request
does, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from accelerator.audits.models import Audit, Decision, Solution, SubstantialChange
from accelerator.audits.queries import approvals_in_force, solution_ids_in_force
from accelerator.audits.signals import approval_changed, solution_changed
from accelerator.catalogue import search
from accelerator.catalogue.models import (
    LEVEL_BITS,
    SUBJECT_BITS,
    CatalogueDomainScore,
    CatalogueEntry,
    CatalogueLevel,
    CatalogueSubject,
    bit_mask,
    facet_words,
)
from accelerator.catalogue.reviews.operations import review_figures
from accelerator.core.db import utcnow
from accelerator.criteria.models import Domain
from accelerator.extensions import db

BATCH = 500


def refresh_catalogue_entry(solution_id: int, today: date | None = None) -> CatalogueEntry | None:
    """Bring the solution's entry in line with its latest approval in force: create, update
    or delete it. Returns the entry, or None when the solution has no approval in force."""
    return _sync([solution_id], today).get(solution_id)


def rebuild_catalogue(today: date | None = None) -> int:
    """Refresh every solution that has an approval in force or an entry; returns the number
    of entries in the index afterwards."""
    ids = set(db.session.scalars(solution_ids_in_force(today)))
    ids |= set(db.session.scalars(select(CatalogueEntry.solution_id)))
    ordered = sorted(ids)
    kept = 0
    for start in range(0, len(ordered), BATCH):
        kept += len(_sync(ordered[start : start + BATCH], today))
    search.analyze()
    return kept


def _chosen_approvals(solution_ids: Sequence[int], today: date | None) -> dict[int, Audit]:
    """The latest decided approval in force of each solution."""
    audits = db.session.scalars(
        approvals_in_force(today)
        .where(Audit.solution_id.in_(solution_ids))
        .order_by(Audit.solution_id, Audit.decided_at, Audit.id)
    )
    return {audit.solution_id: audit for audit in audits}  # the last one wins


def _latest_decisions(audit_ids: Iterable[int]) -> dict[int, Decision]:
    decisions = db.session.scalars(
        select(Decision)
        .options(selectinload(Decision.conditions))  # no lazy load (and autoflush) per entry
        .where(Decision.audit_id.in_(list(audit_ids)))
        .order_by(Decision.id)
    )
    return {decision.audit_id: decision for decision in decisions}


def _domain_names(version_ids: Iterable[int]) -> dict[tuple[int, str], tuple[int, str]]:
    rows = db.session.execute(
        select(Domain.version_id, Domain.code, Domain.position, Domain.name).where(
            Domain.version_id.in_(list(version_ids))
        )
    )
    return {(version_id, code): (position, name) for version_id, code, position, name in rows}


def _domains(decision: Decision, version_id: int, names: dict) -> list[dict]:
    domains = []
    for code, score in (decision.domain_scores or {}).items():
        if score is None:
            # No criterion of the domain applies to the solution (the AI domain of a solution
            # without AI, or RGPD without personal data): it has no score to show.
            continue
        position, name = names.get((version_id, code), (len(names), code))
        domains.append(
            {"code": code, "name": name, "score": round(float(score), 1), "_pos": position}
        )
    domains.sort(key=lambda d: (d["_pos"], d["code"]))
    return [{k: v for k, v in d.items() if k != "_pos"} for d in domains]


def _set_children(entry: CatalogueEntry, attr: str, model, wanted: dict) -> bool:
    """Make ``entry.<attr>`` hold exactly ``wanted`` ({code: extra fields}); True if changed."""
    rows = getattr(entry, attr)
    current = {row.code: row for row in rows}
    changed = False
    for code, row in current.items():
        if code not in wanted:
            rows.remove(row)
            changed = True
    for code, fields in wanted.items():
        row = current.get(code)
        if row is None:
            rows.append(model(code=code, **fields))
            changed = True
        else:
            for name, value in fields.items():
                if getattr(row, name) != value:
                    setattr(row, name, value)
                    changed = True
    return changed


def _sync(solution_ids: Sequence[int], today: date | None) -> dict[int, CatalogueEntry]:
    approvals = _chosen_approvals(solution_ids, today)
    decisions = _latest_decisions(audit.id for audit in approvals.values())
    names = _domain_names({audit.framework_version_id for audit in approvals.values()})
    solutions = {
        solution.id: solution
        for solution in db.session.scalars(
            select(Solution)
            .options(joinedload(Solution.organization))
            .where(Solution.id.in_(solution_ids))
        )
    }
    under_review = set(
        db.session.scalars(
            select(SubstantialChange.solution_id).where(
                SubstantialChange.solution_id.in_(solution_ids),
                SubstantialChange.outcome.is_(None),
            )
        )
    )
    entries = {
        entry.solution_id: entry
        for entry in db.session.scalars(
            select(CatalogueEntry)
            .options(
                selectinload(CatalogueEntry.subject_rows),
                selectinload(CatalogueEntry.level_rows),
                selectinload(CatalogueEntry.domain_rows),
            )
            .where(CatalogueEntry.solution_id.in_(solution_ids))
        )
    }
    reviews = review_figures(solution_ids)
    kept: dict[int, CatalogueEntry] = {}
    changed: list[CatalogueEntry] = []
    removed: list[int] = []
    for solution_id in solution_ids:
        audit = approvals.get(solution_id)
        decision = decisions.get(audit.id) if audit else None
        solution = solutions.get(solution_id)
        entry = entries.get(solution_id)
        if audit is None or decision is None or solution is None:
            if entry is not None:
                removed.append(entry.id)
                db.session.delete(entry)
            continue
        # What was approved: the texts a manager accepted and the declarations frozen on
        # the audit, never what the company typed since (read before a new entry joins the
        # session, which a lazy load would flush half-filled).
        texts = solution.published_texts()
        declared = audit.frozen_declarations()
        conditions = [
            {
                "text": c.text,
                "due_date": c.due_date.isoformat() if c.due_date else None,
                "status": c.status.value,
            }
            for c in decision.conditions
        ]
        if entry is None:
            entry = CatalogueEntry(solution_id=solution_id)
            db.session.add(entry)
        domains = _domains(decision, audit.framework_version_id, names)
        values = {
            "audit_id": audit.id,
            "slug": solution.slug,
            "name": texts["name"],
            "organization_name": solution.organization.name,
            "summary": texts["summary"] or "",
            "description": texts["description"] or "",
            "keywords": search.keywords_for(solution.subjects or [], solution.levels or []),
            "website": texts["website"],
            "logo_name": texts.get("logo_name"),
            "pricing": declared["pricing"],
            "gar_compatible": bool(declared["gar_compatible"]),
            "change_under_review": solution.id in under_review,
            "conditions": conditions,
            "subjects": list(solution.subjects or []),
            "levels": list(solution.levels or []),
            "subject_mask": bit_mask(solution.subjects or [], SUBJECT_BITS),
            "level_mask": bit_mask(solution.levels or [], LEVEL_BITS),
            **facet_words(
                solution.subjects or [],
                solution.levels or [],
                declared["pricing"],
                bool(declared["gar_compatible"]),
            ),
            "domains": domains,
            "overall_score": round(float(decision.overall_score), 1),
            "outcome": decision.outcome.value,
            "decided_at": decision.decided_at,
            "valid_until": audit.valid_until,
            "verification_code": audit.verification_code or "",
            # a new entry (an approval after a lapse) counts the reviews written before
            "review_count": reviews.get(solution_id, (0, 0.0))[0],
            "review_rating": reviews.get(solution_id, (0, 0.0))[1],
        }
        dirty = entry.id is None
        for name, value in values.items():
            if getattr(entry, name) != value:
                setattr(entry, name, value)
                dirty = True
        children = [
            _set_children(
                entry, "subject_rows", CatalogueSubject, {code: {} for code in values["subjects"]}
            ),
            _set_children(
                entry, "level_rows", CatalogueLevel, {code: {} for code in values["levels"]}
            ),
            _set_children(
                entry,
                "domain_rows",
                CatalogueDomainScore,
                {d["code"]: {"score": d["score"], "name": d["name"]} for d in domains},
            ),
        ]
        if dirty or any(children):
            entry.updated_at = utcnow()
            changed.append(entry)
        kept[solution_id] = entry
    db.session.flush()
    search.unindex_entries(removed)
    search.index_entries(changed)
    return kept


# The audits domain announces changes; the catalogue, above it, listens (same transaction).


@approval_changed.connect
def _approval_changed(audit, **_) -> None:
    refresh_catalogue_entry(audit.solution_id)


@solution_changed.connect
def _solution_changed(solution, **_) -> None:
    refresh_catalogue_entry(solution.id)
