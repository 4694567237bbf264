"""Full-text search of the catalogue, the one place that knows each database's dialect.

- SQLite: an FTS5 table ``catalogue_fts`` (rowid = ``catalogue_entry.id``; columns name,
  organization, summary, description, keywords) with the ``unicode61 remove_diacritics 2``
  tokenizer. Text is also stripped of accents and lower-cased in Python (``normalize``) before it is
  indexed and before it is queried, so "eleve" finds "élève" and "ÉLÈVE" alike. The table is
  kept by ``index_entries`` / ``unindex_entries``, called by the catalogue's operations.
- PostgreSQL: a stored generated column ``catalogue_entry.search_vector`` computed by the
  SQL function ``catalogue_document(name, organization, summary, description, keywords)``,
  i.e. weighted ``to_tsvector('french', catalogue_unaccent(...))`` (``catalogue_unaccent`` wraps
  ``unaccent`` as IMMUTABLE so it may be indexed), with a GIN index. The database keeps it.

Both are created by the catalogue's migration and are not described by the models (their
names are in ``core.db.UNMANAGED_NAMES`` so migration comparisons leave them out).

``keywords`` holds the names of the solution's subjects and levels, in French and English
(``keywords_for``), so "mathématiques" or "lycée professionnel" find what the facets show.

Queries: every word of ``q`` must appear, as a prefix ("math" finds "mathématiques"), in
any of these texts; on PostgreSQL with French stemming too ("élèves" finds "élève").
Relevance weighs the name most, then the company and the summary, then the subjects and
levels, then the description.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    bindparam,
    column,
    delete,
    func,
    insert,
    literal_column,
    text,
)
from sqlalchemy import table as sql_table

from accelerator.catalogue.models import FTS_TABLE, SEARCH_VECTOR, CatalogueEntry
from accelerator.core.db import is_postgresql
from accelerator.extensions import db

#: at most this many words of a query are used (a pasted paragraph stays cheap)
MAX_TERMS = 8
_WORD = re.compile(r"[^\W_]+")

_fts = sql_table(
    FTS_TABLE,
    column("rowid"),
    column("name"),
    column("organization"),
    column("summary"),
    column("description"),
    column("keywords"),
)
#: bm25 weights of the FTS5 columns, in their order: the name first
BM25_WEIGHTS = (10.0, 4.0, 4.0, 1.0, 2.0)


def normalize(text: str | None) -> str:
    """Lower case without accents: "Élève" → "eleve" (decomposition, marks dropped)."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def keywords_for(subjects: Iterable[str], levels: Iterable[str]) -> str:
    """The names of ``subjects`` and ``levels`` in French and in English (codes too), the
    words a teacher types for them whatever the page's language."""
    from flask_babel import force_locale

    from accelerator.core.reference import DISCIPLINES, LEVELS

    names: list[str] = []
    pairs = [(DISCIPLINES, code) for code in subjects] + [(LEVELS, code) for code in levels]
    for language in ("fr", "en"):
        with force_locale(language):
            names += [str(labels[code]) for labels, code in pairs if code in labels]
    names += [code.replace("-", " ") for _, code in pairs]
    return " ".join(dict.fromkeys(names))  # once each, in order


def terms(query: str | None) -> list[str]:
    """The words of a query, normalised; punctuation and operators are dropped."""
    return _WORD.findall(normalize(query))[:MAX_TERMS]


def match_query(words: list[str], postgresql: bool) -> str:
    """The full-text query of ``words`` (``terms``): every word, as a prefix."""
    if postgresql:
        return " & ".join(f"{word}:*" for word in words)
    return " ".join(f'"{word}"*' for word in words)  # FTS5: each word a quoted prefix


def apply_match(statement: Select, postgresql: bool) -> tuple[Select, ColumnElement]:
    """``statement`` (over ``catalogue_entry``) restricted to the entries matching the
    bound parameter ``fts_query`` (``match_query``), and the relevance expression (higher
    is better)."""
    fts_query = bindparam("fts_query", type_=String)
    if postgresql:
        tsquery = func.to_tsquery(literal_column("'french'::regconfig"), fts_query)
        vector = literal_column(f"catalogue_entry.{SEARCH_VECTOR}")
        return statement.where(vector.op("@@")(tsquery)), func.ts_rank(vector, tsquery)
    # bm25 is lower for better matches, so negate it.
    matches = (
        _fts.select()
        .with_only_columns(
            _fts.c.rowid.label("entry_id"),
            (-func.bm25(literal_column(FTS_TABLE), *BM25_WEIGHTS)).label("rank"),
        )
        .where(literal_column(FTS_TABLE).op("MATCH")(fts_query))
        .subquery("fts")
    )
    statement = statement.join(matches, matches.c.entry_id == CatalogueEntry.id)
    return statement, matches.c.rank


def index_entries(entries: Iterable[CatalogueEntry]) -> None:
    """Write ``entries`` (flushed) into the SQLite index; PostgreSQL keeps its own."""
    entries = list(entries)
    if not entries or is_postgresql():
        return
    unindex_entries([entry.id for entry in entries])
    db.session.execute(
        insert(_fts),
        [
            {
                "rowid": entry.id,
                "name": normalize(entry.name),
                "organization": normalize(entry.organization_name),
                "summary": normalize(entry.summary),
                "description": normalize(entry.description),
                "keywords": normalize(entry.keywords),
            }
            for entry in entries
        ],
    )


def unindex_entries(entry_ids: Iterable[int]) -> None:
    ids = list(entry_ids)
    if ids and not is_postgresql():
        db.session.execute(delete(_fts).where(_fts.c.rowid.in_(ids)))


def clear_index() -> None:
    """Empty the SQLite index (a rebuild writes it again)."""
    if not is_postgresql():
        db.session.execute(delete(_fts))


def analyze() -> None:
    """Refresh the planner's statistics after a rebuild: without them SQLite drives the
    listing from the audit status index and sorts everything, instead of reading the
    score index backwards and stopping after one page."""
    if is_postgresql():
        db.session.execute(text("ANALYZE catalogue_entry"))
        db.session.execute(text("ANALYZE audit"))
    else:
        db.session.execute(text("ANALYZE"))
