"""Read side of the catalogue: search with facets, a solution's page, verification.

Every listing starts from ``_live()``: index entries whose audit is, right now, an approval
in force (status approved or approved with conditions, validity not past). The index may
lag behind a missed refresh; this join never lets a suspended or expired approval through.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from flask import current_app
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    Float,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    column,
    func,
    select,
    true,
)
from sqlalchemy import table as sql_table
from sqlalchemy.orm import joinedload, selectinload

from accelerator.audits.models import Audit, Decision, Solution
from accelerator.audits.queries import in_force
from accelerator.catalogue import cards, memory_index, search
from accelerator.catalogue.models import (
    FACET_WORDS,
    LANE_BITS,
    LEVEL_BITS,
    REVISION_TABLE,
    SUBJECT_BITS,
    CatalogueDomainScore,
    CatalogueEntry,
    bit_mask,
)
from accelerator.core.caching import kept
from accelerator.core.db import is_postgresql, utcnow
from accelerator.extensions import db
from accelerator.training.models import SessionStatus, TrainingSession, session_solution

SORTS = ("relevance", "score", "recent", "rating")
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
    #: minimum average of the teachers' published reviews (1 to 5)
    min_rating: float | None = None
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
            self.min_rating,
        )


@dataclass
class SearchResult:
    #: rows of ``LISTED`` (read as an entry's attributes)
    entries: list
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


@dataclass(frozen=True)
class _Shape:
    """What a search's statements depend on besides their values: searches of one shape
    share their statements (built once, their SQL compiled once), only binding values."""

    words: bool
    postgresql: bool
    #: the facet filters in use
    facets: frozenset[str]
    min_score: bool
    #: how many per-domain minimums
    domains: int
    min_rating: bool = False


def _shape_and_params(query: CatalogueQuery, today: date) -> tuple[_Shape, dict]:
    """The search's shape and the values of its parameters (values of one facet are
    alternatives: OR; subjects and levels as the mask of the chosen codes)."""
    postgresql = is_postgresql()
    words = search.terms(query.q)
    params: dict = {"today": today}
    if words:
        params["fts_query"] = search.match_query(words, postgresql)
    if query.min_score is not None:
        params["min_score"] = query.min_score
    if query.min_rating is not None:
        params["min_rating"] = query.min_rating
    for n, (code, minimum) in enumerate(query.domain_min):
        params[f"domain_code_{n}"], params[f"domain_min_{n}"] = code, minimum
    facets: dict = {}
    if query.subjects:
        facets["subject"] = bit_mask(query.subjects, SUBJECT_BITS)
    if query.levels:
        facets["level"] = bit_mask(query.levels, LEVEL_BITS)
    if query.pricing:
        facets["pricing"] = list(query.pricing)
    if query.gar is not None:
        facets["gar"] = query.gar
    params |= {f"facet_{name}": value for name, value in facets.items()}
    shape = _Shape(
        words=bool(words),
        postgresql=postgresql,
        facets=frozenset(facets),
        min_score=query.min_score is not None,
        domains=len(query.domain_min),
        min_rating=query.min_rating is not None,
    )
    return shape, params


def _facet_conditions(active: frozenset[str]) -> dict[str, ColumnElement]:
    """The conditions of the ``active`` facet filters, on bound parameters."""
    entry = CatalogueEntry
    every = {
        "subject": lambda: (
            entry.subject_mask.op("&")(bindparam("facet_subject", type_=Integer)) != 0
        ),
        "level": lambda: entry.level_mask.op("&")(bindparam("facet_level", type_=Integer)) != 0,
        "pricing": lambda: entry.pricing.in_(bindparam("facet_pricing", expanding=True)),
        "gar": lambda: entry.gar_compatible == bindparam("facet_gar", type_=Boolean),
    }
    return {name: build() for name, build in every.items() if name in active}


def _base(shape: _Shape) -> tuple[Select, ColumnElement | None]:
    """Live entries matching the words and the score minimums (not the facet filters),
    and the relevance expression (None without words)."""
    statement = (
        select(CatalogueEntry)
        .join(Audit, Audit.id == CatalogueEntry.audit_id)
        .where(in_force(bindparam("today", type_=Date)))
    )
    rank = None
    if shape.words:
        statement, rank = search.apply_match(statement, shape.postgresql)
    conditions = []
    if shape.min_score:
        conditions.append(CatalogueEntry.overall_score >= bindparam("min_score", type_=Float))
    if shape.min_rating:
        # the kept average of the entry (0 without a review: below any minimum)
        conditions.append(CatalogueEntry.review_rating >= bindparam("min_rating", type_=Float))
    for n in range(shape.domains):
        conditions.append(
            CatalogueEntry.id.in_(
                select(CatalogueDomainScore.entry_id).where(
                    CatalogueDomainScore.code == bindparam(f"domain_code_{n}", type_=String),
                    CatalogueDomainScore.score >= bindparam(f"domain_min_{n}", type_=Float),
                )
            )
        )
    if conditions:
        statement = statement.where(and_(*conditions))
    return statement, rank


def _order(sort: str, rank) -> list:
    # Same direction on every column, so the (overall_score, id) index serves the sort.
    by_score = [CatalogueEntry.overall_score.desc(), CatalogueEntry.id.desc()]
    if sort == "recent":
        return [CatalogueEntry.decided_at.desc(), CatalogueEntry.id.desc()]
    if sort == "rating":  # the (review_rating, id) index, read backwards
        return [CatalogueEntry.review_rating.desc(), CatalogueEntry.id.desc()]
    if sort == "relevance" and rank is not None:
        return [rank.desc(), *by_score]
    return by_score


#: what a result card and an API item read: the page is fetched as plain rows of these
#: (the description, keywords and conditions stay in the table, no ORM object is built)
LISTED = tuple(
    CatalogueEntry.__table__.c[name]
    for name in (
        "id", "solution_id", "slug", "name", "organization_name", "summary", "logo_name",
        "subjects", "levels", "pricing", "gar_compatible", "overall_score", "domains",
        "outcome", "decided_at", "valid_until", "verification_code", "change_under_review",
        "review_count", "review_rating",
    )
)  # fmt: skip
#: The columns of a results page's rows: its cards' (``cards.CARD_COLUMNS``) and the id.
CARD_ROW = tuple(CatalogueEntry.__table__.c[name] for name in ("id", *cards.CARD_COLUMNS))


@lru_cache(maxsize=256)
def _page_statement(shape: _Shape, sort: str) -> Select:
    """One page of results, in order, as rows of ``LISTED``: one statement. The sort runs
    over the ids and sort keys alone (no wide column carried through it); the page's rows
    are then read by id and put back in that order."""
    statement, rank = _base(shape)
    if shape.facets:
        statement = statement.where(and_(*_facet_conditions(shape.facets).values()))
    order = _order(sort, rank)
    keys = [term.element.label(f"sort_{n}") for n, term in enumerate(order)]
    page = (
        statement.with_only_columns(*keys)
        .order_by(*order)
        .limit(bindparam("page_limit", type_=Integer))
        .offset(bindparam("page_offset", type_=Integer))
        .subquery("page")
    )
    listed = CatalogueEntry.__table__.alias("listed")
    return (
        select(*(listed.c[column.name] for column in LISTED))
        .join_from(page, listed, listed.c.id == page.c[keys[-1].name])
        .order_by(*(page.c[key.name].desc() for key in keys))
    )


@lru_cache(maxsize=256)
def _facet_statement(shape: _Shape) -> Select:
    """The sums of ``_total_and_facets``: the total, then one sum per facet word
    (``FACET_WORDS``), each over the entries passing every filter but its own facet's."""
    conditions = _facet_conditions(shape.facets)
    entry = CatalogueEntry.__table__

    def passing(*conditions_) -> ColumnElement | None:
        return and_(*conditions_) if conditions_ else None

    def summed(column, condition) -> ColumnElement:
        # SQLite sums a tenth faster with FILTER (WHERE ...) than with a CASE inside the
        # sum; PostgreSQL measured no better (a NULL over no row is read as 0 below)
        if condition is None:
            return func.sum(column)
        if shape.postgresql:
            return func.sum(case((condition, column), else_=0))
        return func.sum(column).filter(condition)

    every = passing(*conditions.values())
    sums: list[ColumnElement] = [func.count() if every is None else func.count(case((every, 1)))]
    for n, (facet, _) in enumerate(FACET_WORDS):
        others = passing(*(c for name, c in conditions.items() if name != facet))
        sums.append(summed(entry.c[f"facet_word_{n}"], others))
    statement, _ = _base(shape)
    return statement.with_only_columns(*sums)


_LANE = (1 << LANE_BITS) - 1


def _total_and_facets(shape: _Shape, params: dict) -> tuple[int, dict]:
    """The number of results and the facet counts, in one pass over the matching entries.

    One row of sums over the live entries matching the words and the score minimums: each
    facet value counts the entries that have it and pass every *other* facet filter (so
    choosing "French" still shows how many solutions other subjects have), the total those
    that pass them all. Each entry carries its facet vectors (``models.FACET_WORDS``), so a
    sum counts three values at once and no link table is joined.
    """
    total, *words = db.session.execute(_facet_statement(shape), params).one()
    facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for (facet, values), word in zip(FACET_WORDS, words, strict=True):
        word = int(word or 0)  # NULL over no row; PostgreSQL sums bigints as numeric
        for lane, value in enumerate(values):
            if count := (word >> (LANE_BITS * lane)) & _LANE:
                facets[facet][value] = count
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
    """A cheap summary of everything the public catalogue shows: the index (its revision,
    which the database bumps at each change of an entry), the approvals' last status
    change (a suspension not yet refreshed) and the date (validity ends at midnight).

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


_revision = sql_table(REVISION_TABLE, column("id"), column("revision"))
#: the catalogue's state in one round trip: the entries' revision (one row, bumped by the
#: database at each change of an entry; counting the entries took 12-20 ms on PostgreSQL
#: at 100,000) and the approvals' last status change (an index's last key)
_STATE = select(
    select(_revision.c.revision).where(_revision.c.id == 1).scalar_subquery(),
    select(func.max(Audit.status_changed_at)).scalar_subquery(),
)


def _fingerprint(today: date) -> str:
    return _state_text(*db.session.execute(_STATE).one(), today)


def _state_text(revision, last_status, today: date) -> str:
    return f"{revision}:{last_status}:{today.isoformat()}"


@dataclass
class CatalogueState:
    """The catalogue's ``fingerprint`` and, when asked, its domain codes."""

    fingerprint: str
    _domains: list[tuple[str, str]] | None = None

    def domains(self) -> list[tuple[str, str]]:
        if self._domains is None:
            self._domains = domain_codes(self.fingerprint)
        return self._domains


def catalogue_state(today: date | None = None) -> CatalogueState:
    """What every search reads first. With caches on the fingerprint is kept a second and
    the domain codes, read only past the 304 and the kept answer, under it; with caches off
    both are read anew, in one statement (one round trip instead of two)."""
    today = today or date.today()
    if _caching():
        return CatalogueState(fingerprint(today))
    rows = db.session.execute(_STATE_AND_DOMAINS).all()
    domains = [(code, name) for *_, code, name in rows if code is not None]
    return CatalogueState(_state_text(*rows[0][:2], today), domains)


def search_catalogue(
    query: CatalogueQuery,
    today: date | None = None,
    state: str | None = None,
    columns: tuple = LISTED,
) -> SearchResult:
    """One page of results, the total and the facet counts. ``state`` is the fingerprint
    when the caller has it (facets and totals are then cached under it). The rows hold
    ``columns`` at least (``CARD_ROW``: what the page's cards show), all of ``LISTED``
    when SQL answers."""
    today = today or date.today()
    if state and current_app.config.get("CATALOGUE_MEMORY_INDEX", True):
        found = _search_in_memory(query, today, state, columns)
        if found is not None:
            return found
    shape, params = _shape_and_params(query, today)
    total, facets = kept(
        _key("search", state, query.filters_key()),
        lambda: _total_and_facets(shape, params),
        timeout=STATE_KEYED_TTL,
        enabled=bool(state) and _caching(),
    )
    page = {"page_limit": query.per_page, "page_offset": (query.page - 1) * query.per_page}
    rows = db.session.execute(_page_statement(shape, query.sort), params | page).all()
    return SearchResult(
        entries=rows,
        total=total,
        page=query.page,
        per_page=query.per_page,
        sort=query.sort,
        facets=facets,
    )


def _search_in_memory(
    query: CatalogueQuery, today: date, state: str, columns: tuple
) -> SearchResult | None:
    """The search answered by this process's index (``memory_index``), or None when SQL
    must answer it: a query the index does not handle, or an approval that lapsed since
    the snapshot (which is then dropped)."""
    config, testing = current_app.config, current_app.testing
    snapshot = memory_index.snapshot_for(
        state,
        max_age=config.get("CATALOGUE_INDEX_MAX_AGE", 0 if testing else 300.0),
        background=config.get("CATALOGUE_INDEX_BACKGROUND", not testing),
    )
    if snapshot is None:
        return None
    try:
        found = memory_index.answer(snapshot, query, today)
    except memory_index.NotHandled:
        return None
    rows = memory_index.live_rows(found.ids, columns, today)
    if len(rows) != len(found.ids):
        memory_index.mark_stale(str(db.engine.url))
        return None
    return SearchResult(
        entries=rows,
        total=found.total,
        page=query.page,
        per_page=query.per_page,
        sort=query.sort,
        facets=found.facets,
    )


def domain_codes(state: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of the domains scored in the live catalogue, for the per-domain filters."""
    return kept(
        _key("domains", state),
        _domain_codes,
        timeout=STATE_KEYED_TTL,
        enabled=bool(state) and _caching(),
    )


def _domain_codes_statement() -> Select:
    # The distinct codes are read by skipping along the (code, score) index, one probe per
    # code (a recursive query), not by reading its rows.
    domain = CatalogueDomainScore.__table__
    codes = select(func.min(domain.c.code).label("code")).cte("codes", recursive=True)
    later = select(
        select(func.min(domain.c.code)).where(domain.c.code > codes.c.code).scalar_subquery()
    ).where(codes.c.code.is_not(None))
    codes = codes.union_all(later)
    name = select(domain.c.name).where(domain.c.code == codes.c.code).limit(1).scalar_subquery()
    return (
        select(codes.c.code, name.label("name"))
        .where(codes.c.code.is_not(None))
        .order_by(codes.c.code)
    )


_DOMAIN_CODES = _domain_codes_statement()


def _state_and_domains_statement() -> Select:
    # the state's row, then each domain beside it (none: one row, the codes null)
    state = _STATE.subquery("state")
    domains = _domain_codes_statement().subquery("domains")
    return (
        select(*state.c, domains.c.code, domains.c.name)
        .select_from(state)
        .outerjoin(domains, true())
        .order_by(domains.c.code)
    )


_STATE_AND_DOMAINS = _state_and_domains_statement()


def _domain_codes() -> list[tuple[str, str]]:
    # Every domain of the index: a domain found only on an approval that just lapsed would
    # merely filter down to nothing.
    return [(code, name) for code, name in db.session.execute(_DOMAIN_CODES)]


def entries_in_force(today: date | None = None, options: tuple = ()) -> list[CatalogueEntry]:
    """Every live entry, by slug (the open data's transparency records), with the loader
    ``options`` the caller reads them with."""
    return list(db.session.scalars(_live(today).options(*options).order_by(CatalogueEntry.slug)))


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
