"""Read side of the catalogue: search with facets, a solution's page, verification.

Every listing starts from ``_live()``: index entries whose audit is, right now, an approval
in force (status approved or approved with conditions, validity not past). The index may
lag behind a missed refresh; this join never lets a suspended or expired approval through.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    cast,
    func,
    literal,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import joinedload, selectinload

from accelerator.audits.models import Audit, Decision, Solution
from accelerator.audits.queries import in_force
from accelerator.catalogue import search
from accelerator.catalogue.models import (
    CatalogueDomainScore,
    CatalogueEntry,
    CatalogueLevel,
    CatalogueSubject,
)
from accelerator.core.caching import kept
from accelerator.core.db import utcnow
from accelerator.extensions import db
from accelerator.training.models import SessionStatus, TrainingSession, session_solution

SORTS = ("relevance", "score", "recent")
#: facets counted beside the results (each ignores its own filter: disjunctive facets)
FACETS = ("subject", "level", "pricing", "gar")


@dataclass(frozen=True)
class CatalogueQuery:
    """A validated search (``schemas.parse_catalogue_query`` builds it)."""

    q: str = ""
    subjects: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    pricing: tuple[str, ...] = ()
    gar: bool | None = None
    min_score: float | None = None
    #: (domain code, minimum score) pairs
    domain_min: tuple[tuple[str, float], ...] = ()
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20

    def filters_key(self) -> tuple:
        """What the matching set depends on (not the sort or the page)."""
        return (
            " ".join(search.terms(self.q)),
            self.subjects,
            self.levels,
            self.pricing,
            self.gar,
            self.min_score,
            self.domain_min,
        )


@dataclass
class SearchResult:
    entries: list[CatalogueEntry]
    total: int
    page: int
    per_page: int
    sort: str
    #: {"subject": {code: count}, "level": ..., "pricing": ..., "gar": {"true": n, "false": n}}
    facets: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _live(today: date | None = None) -> Select:
    return (
        select(CatalogueEntry)
        .join(Audit, Audit.id == CatalogueEntry.audit_id)
        .where(in_force(today))
    )


def _facet_conditions(query: CatalogueQuery) -> dict[str, ColumnElement]:
    """The active facet filters (values of one facet are alternatives: OR)."""
    conditions: dict[str, ColumnElement] = {}
    if query.subjects:
        conditions["subject"] = CatalogueEntry.id.in_(
            select(CatalogueSubject.entry_id).where(CatalogueSubject.code.in_(query.subjects))
        )
    if query.levels:
        conditions["level"] = CatalogueEntry.id.in_(
            select(CatalogueLevel.entry_id).where(CatalogueLevel.code.in_(query.levels))
        )
    if query.pricing:
        conditions["pricing"] = CatalogueEntry.pricing.in_(query.pricing)
    if query.gar is not None:
        conditions["gar"] = CatalogueEntry.gar_compatible.is_(query.gar)
    return conditions


def _base(query: CatalogueQuery, today: date):
    """Live entries matching the words and the score minimums (not the facet filters)."""
    statement, rank = search.apply_text_search(_live(today), query.q)
    conditions = []
    if query.min_score is not None:
        conditions.append(CatalogueEntry.overall_score >= query.min_score)
    for code, minimum in query.domain_min:
        conditions.append(
            CatalogueEntry.id.in_(
                select(CatalogueDomainScore.entry_id).where(
                    CatalogueDomainScore.code == code, CatalogueDomainScore.score >= minimum
                )
            )
        )
    if conditions:
        statement = statement.where(and_(*conditions))
    return statement, rank


def _filtered(query: CatalogueQuery, today: date):
    """The live entries matching ``query`` and the relevance expression."""
    statement, rank = _base(query, today)
    facets = _facet_conditions(query)
    if facets:
        statement = statement.where(and_(*facets.values()))
    return statement, rank


def _order(query: CatalogueQuery, rank) -> list:
    # Same direction on every column, so the (overall_score, id) index serves the sort.
    by_score = [CatalogueEntry.overall_score.desc(), CatalogueEntry.id.desc()]
    if query.sort == "recent":
        return [CatalogueEntry.decided_at.desc(), CatalogueEntry.id.desc()]
    if query.sort == "relevance" and rank is not None:
        return [rank.desc(), *by_score]
    return by_score


def _total_and_facets(query: CatalogueQuery, today: date) -> tuple[int, dict]:
    """The number of results and the facet counts, in one statement.

    The matching entries are computed once (a CTE) with a flag per active facet filter;
    each facet counts the rows that pass every other filter (so choosing "French" still
    shows how many solutions other subjects have), the total those that pass them all.
    """
    base_statement, _ = _base(query, today)
    conditions = _facet_conditions(query)
    base = base_statement.with_only_columns(
        CatalogueEntry.id.label("id"),
        CatalogueEntry.pricing.label("pricing"),
        CatalogueEntry.gar_compatible.label("gar"),
        *[condition.label(f"f_{name}") for name, condition in conditions.items()],
    ).cte("matching")

    def passing(skip: str | None = None) -> list:
        return [base.c[f"f_{name}"] == true() for name in conditions if name != skip]

    value = type_coerce(literal(""), String)
    parts = [
        select(literal("total"), value, func.count()).select_from(base).where(*passing()),
        select(literal("pricing"), base.c.pricing, func.count())
        .where(*passing("pricing"))
        .group_by(base.c.pricing),
        select(literal("gar"), cast(base.c.gar, String), func.count())
        .where(*passing("gar"))
        .group_by(base.c.gar),
    ]
    for name, child in (("subject", CatalogueSubject), ("level", CatalogueLevel)):
        parts.append(
            select(literal(name), child.code, func.count())
            .join(base, base.c.id == child.entry_id)
            .where(*passing(name))
            .group_by(child.code)
        )
    facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    total = 0
    for name, code, count in db.session.execute(union_all(*parts)):
        if name == "total":
            total = count
        elif name == "gar":
            # a boolean cast to text: "true"/"false" on PostgreSQL, "1"/"0" on SQLite
            facets["gar"]["true" if code in ("true", "1") else "false"] = count
        else:
            facets[name][code] = count
    return total, facets


#: seconds a value keyed by the catalogue's state is kept (the key changes with the state)
STATE_KEYED_TTL = 300


def _caching() -> bool:
    # CATALOGUE_CACHE_SIZE=0 turns every catalogue cache off (the benchmark's cold case).
    return current_app.config.get("CATALOGUE_CACHE_SIZE", 512) != 0


def _key(*parts) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"catalogue:{parts[0]}:{digest}"


def fingerprint(today: date | None = None) -> str:
    """A cheap summary of everything the public catalogue shows: the index (count, last
    change), the approvals' last status change (a suspension not yet refreshed) and the
    date (validity ends at midnight).

    Under load it is remembered for ``CATALOGUE_STATE_TTL`` seconds (1 by default, 0 when
    testing): public answers may be 60 seconds old anyway (``Cache-Control``)."""
    today = today or date.today()
    ttl = current_app.config.get("CATALOGUE_STATE_TTL", 0 if current_app.testing else 1.0)
    return kept(
        _key("state", str(db.engine.url), today.isoformat()),
        lambda: _fingerprint(today),
        timeout=ttl,
        enabled=_caching(),
    )


def _fingerprint(today: date) -> str:
    count, last_entry = db.session.execute(
        select(func.count(CatalogueEntry.id), func.max(CatalogueEntry.updated_at))
    ).one()
    last_status = db.session.scalar(select(func.max(Audit.status_changed_at)))
    return f"{count}:{last_entry}:{last_status}:{today.isoformat()}"


def search_catalogue(
    query: CatalogueQuery, today: date | None = None, state: str | None = None
) -> SearchResult:
    """One page of results, the total and the facet counts. ``state`` is the fingerprint
    when the caller has it (facets and totals are then cached under it)."""
    today = today or date.today()
    statement, rank = _filtered(query, today)
    total, facets = kept(
        _key("search", state, query.filters_key()),
        lambda: _total_and_facets(query, today),
        timeout=STATE_KEYED_TTL,
        enabled=bool(state) and _caching(),
    )
    rows = db.session.scalars(
        statement.order_by(*_order(query, rank))
        .limit(query.per_page)
        .offset((query.page - 1) * query.per_page)
    ).all()
    return SearchResult(
        entries=list(rows),
        total=total,
        page=query.page,
        per_page=query.per_page,
        sort=query.sort,
        facets=facets,
    )


def domain_codes(state: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of the domains scored in the live catalogue, for the per-domain filters."""
    return kept(
        _key("domains", state),
        _domain_codes,
        timeout=STATE_KEYED_TTL,
        enabled=bool(state) and _caching(),
    )


def _domain_codes() -> list[tuple[str, str]]:
    # Every domain of the index (read from the (code, score) index, not the rows): a domain
    # found only on an approval that just lapsed would merely filter down to nothing.
    codes = db.session.scalars(
        select(CatalogueDomainScore.code).distinct().order_by(CatalogueDomainScore.code)
    ).all()
    result = [
        (
            code,
            db.session.scalar(
                select(CatalogueDomainScore.name).where(CatalogueDomainScore.code == code).limit(1)
            ),
        )
        for code in codes
    ]
    return result


def entry_in_force(slug: str, today: date | None = None) -> CatalogueEntry | None:
    """The solution's live entry, or None (unknown, or no approval in force)."""
    return db.session.scalar(_live(today).where(CatalogueEntry.slug == slug))


def decision_of(entry: CatalogueEntry) -> Decision | None:
    return db.session.scalar(
        select(Decision)
        .options(selectinload(Decision.conditions))
        .where(Decision.audit_id == entry.audit_id)
        .order_by(Decision.id.desc())
        .limit(1)
    )


def sessions_to_come(solution_id: int, now: datetime | None = None, limit: int = 20) -> list:
    """Scheduled training sessions on the solution that start after ``now``."""
    return list(
        db.session.scalars(
            select(TrainingSession)
            .join(session_solution, session_solution.c.session_id == TrainingSession.id)
            .where(
                session_solution.c.solution_id == solution_id,
                TrainingSession.status == SessionStatus.scheduled,
                TrainingSession.starts_at > (now or utcnow()),
            )
            .order_by(TrainingSession.starts_at, TrainingSession.id)
            .limit(limit)
        )
    )


def clean_code(code: str | None) -> str:
    """A verification code as typed or pasted, without its spaces (around or inside)."""
    return "".join((code or "").split())


def audit_by_code(code: str) -> Audit | None:
    """The audit whose approval carries ``code`` (any state), with its solution.

    Spaces are ignored, and so is letter case when only one code matches that way: people
    copy codes from paper and type them in lower case; 96 random bits leave no ambiguity
    in practice, and an ambiguous code is refused rather than guessed."""
    code = clean_code(code)
    if not code or len(code) > 32:
        return None
    statement = select(Audit).options(joinedload(Audit.solution).joinedload(Solution.organization))
    exact = db.session.scalar(statement.where(Audit.verification_code == code))
    if exact is not None:
        return exact
    alike = db.session.scalars(
        statement.where(func.lower(Audit.verification_code) == code.lower()).limit(2)
    ).all()
    return alike[0] if len(alike) == 1 else None
