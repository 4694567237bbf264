"""The catalogue's search index held in each process's memory, as numpy arrays.

Why: a search counts every match, counts each facet value over them and ranks them all
before it can show a page. In the database that work grows with the matches: one broad
word matches half of 100,000 solutions, and SQLite's ``bm25`` over them alone takes
60-100 ms. Here the same work is a few vectorised passes over arrays of the entries: the
match is the postings of each word's prefix, bm25 a few array operations, each filter a
mask, the facet counts masked sums of the entries' facet vectors (``models.FACET_WORDS``),
the order a partial sort. Only the page's rows are then read from the database, by id.

The answers are the SQL path's (``queries``), which stays for what this does not handle:
- the match: every word of the query as a prefix of a token of the entry. SQLite: the
  FTS5 table's own tokens, read through ``fts5vocab``. PostgreSQL: the lexemes of the
  stored ``tsvector``, each word stemmed by the database's ``to_tsquery('french', ...)``;
- the rank: FTS5's bm25 (k1 1.2, b 0.75, the same column weights, idf and lengths over
  the table's rows), computed in the same order, so SQLite's scores are equal to the bit.
  On PostgreSQL the same bm25 over the lexemes, each position weighed by its column's
  weight (A the name, B the company and summary, C subjects and levels, D the
  description), instead of ``ts_rank``;
- the filters and the facet counts: the same conditions on the same columns.

Fresh: a snapshot belongs to the catalogue's fingerprint (``queries.fingerprint``: the
entries' count and last change, the approvals' last status change, the day) and lives at
most ``CATALOGUE_INDEX_MAX_AGE`` seconds. The page's rows are read through the in-force
join, so an approval that lapsed in between is never shown: the snapshot is then dropped
and that search answered by SQL.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import math
import re
import threading
import time
from array import array
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import numpy as np
from flask import current_app
from sqlalchemy import Date, bindparam, select, text

from accelerator.audits.models import Audit
from accelerator.audits.queries import APPROVED_STATES, in_force
from accelerator.catalogue.models import (
    FACET_WORDS,
    FTS_TABLE,
    LANE_BITS,
    LEVEL_BITS,
    SUBJECT_BITS,
    CatalogueDomainScore,
    CatalogueEntry,
    bit_mask,
)
from accelerator.catalogue.search import BM25_WEIGHTS, terms
from accelerator.core.db import is_postgresql
from accelerator.extensions import db

#: FTS5's bm25 constants
K1, B = 1.2, 0.75
#: FTS5 column → its bm25 weight (the SQL path's, in the table's column order)
SQLITE_WEIGHTS = dict(
    zip(("name", "organization", "summary", "description", "keywords"), BM25_WEIGHTS, strict=True)
)
#: tsvector weight letter → the weight of its column (catalogue_document: A name, B company
#: and summary, C subjects and levels, D description)
POSTGRESQL_WEIGHTS = {"A": 10.0, "B": 4.0, "C": 2.0, "D": 1.0}


@dataclass
class Snapshot:
    """The entries as arrays, one slot per document (sorted ids), and the postings."""

    key: str
    built_at: float
    ids: np.ndarray  # int64, sorted
    #: ordinal of the last day of the approval (-1: no entry, or its audit not approved;
    #: SQLite may hold an FTS row of no entry)
    live_until: np.ndarray
    id_key: np.ndarray  # float64 ids, the last sort key
    subject_mask: np.ndarray
    level_mask: np.ndarray
    pricing: np.ndarray  # int16 index into pricing_values
    pricing_values: list[str]
    gar: np.ndarray  # bool
    overall_score: np.ndarray  # float64
    review_rating: np.ndarray
    decided_at: np.ndarray  # float64 POSIX seconds
    facet_words: np.ndarray  # int64 (len(FACET_WORDS), documents)
    domains: dict[str, np.ndarray]  # code → float64 score (NaN: no score)
    vocabulary: list[str]  # sorted tokens (SQLite) or lexemes (PostgreSQL)
    starts: np.ndarray  # int64: postings of vocabulary[t] are starts[t]:starts[t + 1]
    post_doc: np.ndarray  # int32 document slot
    post_weight: np.ndarray  # float64: sum of the weights of the term's instances there
    doc_length: np.ndarray  # float64 tokens of the document (bm25's D)
    #: k1 * (1 - b + b * D / avgdl), per document, in FTS5's order of operations
    length_part: np.ndarray
    rows: int  # documents bm25 counts (FTS rows / entries)
    average_length: float

    def live(self, today: date) -> np.ndarray:
        return self.live_until >= today.toordinal()

    def postings(self, prefix: str) -> tuple[np.ndarray, np.ndarray]:
        """Document slots and weights of every term starting with ``prefix`` (one slice:
        such terms are adjacent in the sorted vocabulary)."""
        first = bisect.bisect_left(self.vocabulary, prefix)
        last = bisect.bisect_left(self.vocabulary, prefix + "\U0010ffff", lo=first)
        start, stop = self.starts[first], self.starts[last]
        return self.post_doc[start:stop], self.post_weight[start:stop]


_TOKEN = re.compile(r"[^\W_]+")


def _raw_cursor():
    """A DB-API cursor on the session's connection: millions of small rows are read
    without building a SQLAlchemy row for each."""
    return db.session.connection().connection.dbapi_connection.cursor()


def _varints(blob: bytes) -> list[int]:
    """The integers of an SQLite varint sequence (FTS5's docsize record: tokens per column)."""
    values, value = [], 0
    for byte in blob:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            values.append(value)
            value = 0
    return values


class _Terms:
    """Numbers terms in their order of appearance: the texts are read as numbers, not as
    millions of strings kept until the end (at 100,000 solutions they would take a GB)."""

    def __init__(self) -> None:
        self.number: dict[str, int] = {}
        self.ids = array("i")

    def add(self, terms: list[str]) -> None:
        number = self.number
        self.ids.extend([number.setdefault(term, len(number)) for term in terms])

    def as_array(self) -> np.ndarray:
        return np.frombuffer(self.ids, dtype=np.int32).astype(np.int64)


#: what a ``read_text`` answers: the terms of each instance, its document id and weight
#: (aligned), the documents' ids, their lengths in tokens, and bm25's count of rows
TextRead = tuple[_Terms, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]


#: each row of the FTS5 table (its columns in ``SQLITE_WEIGHTS``' order) and FTS5's record
#: of its token counts
_FTS_ROWS = (
    "SELECT t.rowid, t.name, t.organization, t.summary, t.description, t.keywords, d.sz "  # noqa: S608
    f"FROM {FTS_TABLE} AS t JOIN {FTS_TABLE}_docsize AS d ON d.id = t.rowid"
)


def _sqlite_text() -> TextRead:
    """The FTS5 table's tokens, one instance each.

    The table holds text already normalised by ``search.normalize``; FTS5's unicode61
    splits it where ``_TOKEN`` does. Each row's count of tokens per column is checked
    against the one FTS5 keeps (its ``docsize`` record, what bm25 reads): the tokens of a
    row that differs are read back from FTS5 itself (``fts5vocab``), so they are FTS5's."""
    cursor = _raw_cursor()
    cursor.execute(_FTS_ROWS)
    weights = tuple(SQLITE_WEIGHTS.values())
    terms = _Terms()
    doc_ids, counts, lengths, unsure = [], array("i"), [], []
    for rowid, *columns, size in cursor:
        found = [_TOKEN.findall(column or "") for column in columns]
        for tokens in found:
            terms.add(tokens)
        row_counts = [len(tokens) for tokens in found]
        counts.extend(row_counts)
        doc_ids.append(rowid)
        lengths.append(sum(row_counts))
        if _varints(size)[: len(row_counts)] != row_counts:
            unsure.append(len(doc_ids) - 1)
    per_column = np.frombuffer(counts, dtype=np.int32)
    token_doc = np.repeat(np.repeat(np.array(doc_ids, dtype=np.int64), 5), per_column)
    token_weight = np.repeat(np.tile(np.array(weights, dtype=np.int8), len(doc_ids)), per_column)
    doc_ids, lengths = np.array(doc_ids, dtype=np.int64), np.array(lengths, dtype=np.float64)
    if unsure:
        terms, token_doc, token_weight = _fts5_tokens(
            doc_ids[unsure], terms, token_doc, token_weight
        )
        lengths[unsure] = _fts5_lengths(doc_ids[unsure], token_doc)
    return terms, token_doc, token_weight, doc_ids, lengths, len(doc_ids)


def _fts5_tokens(rowids: np.ndarray, terms: _Terms, token_doc, token_weight):
    """The instances of ``rowids`` as FTS5 holds them, in place of those split here."""
    cursor = _raw_cursor()
    cursor.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.catalogue_fts_instances "
        f"USING fts5vocab(main, {FTS_TABLE}, instance)"
    )
    wanted = set(rowids.tolist())
    extra = [
        (term, doc, SQLITE_WEIGHTS[column])
        for term, doc, column in cursor.execute(
            "SELECT term, doc, col FROM temp.catalogue_fts_instances"
        )
        if doc in wanted
    ]
    keep = ~np.isin(token_doc, rowids)
    kept = _Terms()
    kept.number = terms.number
    kept.ids = array("i", terms.as_array()[keep].astype(np.int32).tobytes())
    kept.add([term for term, _, _ in extra])
    return (
        kept,
        np.concatenate([token_doc[keep], np.array([e[1] for e in extra], dtype=np.int64)]),
        np.concatenate([token_weight[keep], np.array([e[2] for e in extra], dtype=np.int8)]),
    )


def _fts5_lengths(rowids: np.ndarray, token_doc: np.ndarray) -> np.ndarray:
    return np.array([np.count_nonzero(token_doc == rowid) for rowid in rowids.tolist()])


def _postgresql_text() -> TextRead:
    """The lexemes of the stored tsvectors, one per lexeme and entry, weighed by the
    weights of its positions; an entry's length is its count of positions."""
    weight = " ".join(f"WHEN '{c}' THEN {w}" for c, w in POSTGRESQL_WEIGHTS.items())
    raw = db.session.connection().connection.dbapi_connection
    terms, docs, weights, positions = _Terms(), array("q"), array("d"), array("d")
    # a server-side cursor: the lexemes come in batches, not all at once
    with raw.cursor(name="catalogue_index_lexemes") as cursor:
        cursor.itersize = 20000
        cursor.execute(
            "SELECT e.id, u.lexeme, (SELECT sum(CASE w " + weight + " END) "  # noqa: S608
            "FROM unnest(u.weights) AS w), cardinality(u.positions) "
            "FROM catalogue_entry AS e, unnest(e.search_vector) AS u"
        )
        while batch := cursor.fetchmany(20000):
            terms.add([row[1] for row in batch])
            docs.extend([row[0] for row in batch])
            weights.extend([row[2] for row in batch])
            positions.extend([row[3] for row in batch])
    with raw.cursor() as cursor:
        cursor.execute("SELECT id FROM catalogue_entry ORDER BY id")
        doc_ids = np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)
    token_doc = np.frombuffer(docs, dtype=np.int64)
    lengths = np.bincount(
        np.searchsorted(doc_ids, token_doc),
        weights=np.frombuffer(positions, dtype=np.float64),
        minlength=len(doc_ids),
    )
    token_weight = np.frombuffer(weights, dtype=np.float64)
    return terms, token_doc, token_weight, doc_ids, lengths, len(doc_ids)


def _postings(terms: _Terms, docs: np.ndarray, weights: np.ndarray):
    """The sorted vocabulary and CSR postings (per term, its documents in order and the
    sum of the weights of its instances in each) from one (term, slot, weight) per
    instance."""
    vocabulary = sorted(terms.number)  # code point order: UTF-8's byte order, the databases'
    rank = np.empty(len(vocabulary), dtype=np.int64)
    rank[[terms.number[term] for term in vocabulary]] = np.arange(len(vocabulary))
    size = int(docs.max(initial=0)) + 1
    key = rank[terms.as_array()] * size + docs
    order = np.argsort(key, kind="stable")
    key = key[order]
    first = np.ones(len(key), dtype=np.bool_)
    first[1:] = key[1:] != key[:-1]
    pair_weight = np.bincount(np.cumsum(first) - 1, weights=weights[order])
    pair_key = key[first]
    pair_term, pair_doc = pair_key // size, pair_key % size
    starts = np.searchsorted(pair_term, np.arange(len(vocabulary) + 1)).astype(np.int64)
    return vocabulary, starts, pair_doc.astype(np.int32), pair_weight


def _entry_rows() -> list:
    entry = CatalogueEntry.__table__
    return db.session.execute(
        select(
            entry.c.id,
            Audit.status,
            Audit.valid_until,
            entry.c.subject_mask,
            entry.c.level_mask,
            entry.c.pricing,
            entry.c.gar_compatible,
            entry.c.overall_score,
            entry.c.review_rating,
            entry.c.decided_at,
            *(entry.c[f"facet_word_{n}"] for n in range(len(FACET_WORDS))),
        )  # fmt: skip
        .join(Audit, Audit.id == entry.c.audit_id)
        .order_by(entry.c.id)
    ).all()


def build(key: str) -> Snapshot:
    """Read the catalogue into a snapshot (one pass over the entries, one over the text)."""
    entries = _entry_rows()
    read_text = _postgresql_text if is_postgresql() else _sqlite_text
    terms, token_doc, token_weight, doc_ids, lengths, rows = read_text()
    entry_ids = np.fromiter((r[0] for r in entries), np.int64, len(entries))
    ids = np.union1d(entry_ids, doc_ids)
    size = len(ids)
    slot = np.searchsorted(ids, entry_ids)

    def column(values, dtype, fill):
        array = np.full(size, fill, dtype=dtype)
        array[slot] = np.fromiter(values, dtype, len(entries))
        return array

    pricing_values = sorted({r.pricing for r in entries})
    pricing_code = {value: n for n, value in enumerate(pricing_values)}
    facet_words = np.zeros((len(FACET_WORDS), size), dtype=np.int64)
    for n in range(len(FACET_WORDS)):
        facet_words[n, slot] = np.fromiter((r[10 + n] for r in entries), np.int64, len(entries))
    domains: dict[str, np.ndarray] = {}
    scores = db.session.execute(
        select(CatalogueDomainScore.code, CatalogueDomainScore.entry_id, CatalogueDomainScore.score)
        .where(CatalogueDomainScore.score.is_not(None))
        .order_by(CatalogueDomainScore.code)
    ).all()
    for code, group in itertools.groupby(scores, key=lambda row: row[0]):
        group = list(group)
        entry_of = np.fromiter((r[1] for r in group), np.int64, len(group))
        known = np.isin(entry_of, ids)
        array = domains[code] = np.full(size, np.nan)
        array[np.searchsorted(ids, entry_of[known])] = np.fromiter(
            (r[2] for r in group), np.float64, len(group)
        )[known]
    vocabulary, starts, post_doc, post_weight = _postings(
        terms, np.searchsorted(ids, token_doc), token_weight
    )
    doc_length = np.zeros(size)
    doc_length[np.searchsorted(ids, doc_ids)] = lengths
    # FTS5: the total of the tokens of every row over the rows (xColumnTotalSize)
    average_length = float(doc_length.sum()) / rows if rows else 0.0
    return Snapshot(
        key=key,
        built_at=time.monotonic(),
        ids=ids,
        live_until=column(
            (
                r.valid_until.toordinal() if r.valid_until and r.status in APPROVED_STATES else -1
                for r in entries
            ),
            np.int64,
            -1,
        ),
        id_key=ids.astype(np.float64),
        subject_mask=column((r.subject_mask or 0 for r in entries), np.int64, 0),
        level_mask=column((r.level_mask or 0 for r in entries), np.int64, 0),
        pricing=column((pricing_code[r.pricing] for r in entries), np.int16, -1),
        pricing_values=pricing_values,
        gar=column((bool(r.gar_compatible) for r in entries), np.bool_, False),
        overall_score=column((_number(r.overall_score) for r in entries), np.float64, np.nan),
        review_rating=column((_number(r.review_rating) for r in entries), np.float64, np.nan),
        decided_at=column((_moment(r.decided_at) for r in entries), np.float64, np.nan),
        facet_words=facet_words,
        domains=domains,
        vocabulary=vocabulary,
        starts=starts,
        post_doc=post_doc,
        post_weight=post_weight,
        doc_length=doc_length,
        length_part=K1 * (1 - B + B * doc_length / average_length)
        if average_length
        else np.zeros(size),
        rows=int(rows),
        average_length=average_length,
    )


def _number(value) -> float:
    return float("nan") if value is None else float(value)


def _moment(value: datetime | None) -> float:
    return float("nan") if value is None else value.timestamp()


# --- the searches ----------------------------------------------------------------------


class NotHandled(Exception):
    """This search is answered by SQL (a word PostgreSQL parses into several lexemes)."""


@lru_cache(maxsize=4096)
def _lexeme_prefix(url: str, word: str) -> str | None:
    """The lexeme PostgreSQL's French configuration makes of ``word`` as a prefix query
    (None: a stop word, which the SQL query drops). A pure function of the word and the
    database's configuration, kept per word."""
    parsed = db.session.execute(
        text("SELECT to_tsquery('french'::regconfig, :query)::text"), {"query": f"{word}:*"}
    ).scalar_one()
    if parsed == "":
        return None
    match = re.fullmatch(r"'((?:[^']|'')*)':\*", parsed)
    if match is None:
        raise NotHandled(parsed)
    return match.group(1).replace("''", "'")


def _prefixes(words: list[str]) -> list[str] | None:
    """The prefixes to match, one per word (None: nothing can match)."""
    if not is_postgresql():
        return words
    url = str(db.engine.url)
    prefixes = [p for p in (_lexeme_prefix(url, word) for word in words) if p is not None]
    return prefixes or None


def _text_match(snapshot: Snapshot, words: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """(the documents matching every word, their bm25 rank: higher is better)."""
    prefixes = _prefixes(words)
    size = len(snapshot.ids)
    if prefixes is None or snapshot.average_length == 0:  # no word to match, or no text
        return np.zeros(size, dtype=np.bool_), np.zeros(size)
    matched = np.ones(size, dtype=np.bool_)
    phrases = []
    for prefix in prefixes:
        docs, weights = snapshot.postings(prefix)
        frequency = np.bincount(docs, weights=weights, minlength=size)
        present = frequency > 0
        hits = int(np.count_nonzero(present))
        idf = math.log((snapshot.rows - hits + 0.5) / (hits + 0.5))
        if idf <= 0.0:
            idf = 1e-6
        matched &= present
        phrases.append((idf, frequency))
    # bm25 of the matching documents only, phrase after phrase as FTS5 adds them up
    where = np.flatnonzero(matched)
    length_part = snapshot.length_part[where]
    score = np.zeros(size)
    total = np.zeros(len(where))
    for idf, frequency in phrases:
        found = frequency[where]
        total += idf * ((found * (K1 + 1.0)) / (found + length_part))
    score[where] = total
    return matched, score


def _facet_masks(snapshot: Snapshot, query) -> dict[str, np.ndarray]:
    masks = {}
    if query.subjects:
        masks["subject"] = (snapshot.subject_mask & bit_mask(query.subjects, SUBJECT_BITS)) != 0
    if query.levels:
        masks["level"] = (snapshot.level_mask & bit_mask(query.levels, LEVEL_BITS)) != 0
    if query.pricing:
        # a table of the chosen codes, its last slot for the -1 of no entry
        chosen = np.zeros(len(snapshot.pricing_values) + 1, dtype=np.bool_)
        chosen[[n for n, p in enumerate(snapshot.pricing_values) if p in query.pricing]] = True
        masks["pricing"] = chosen[snapshot.pricing]
    if query.gar is not None:
        masks["gar"] = snapshot.gar == query.gar
    return masks


def _base_mask(snapshot: Snapshot, query, today: date) -> tuple[np.ndarray, np.ndarray | None]:
    """Live documents matching the words and minimums (not the facet filters), and the
    rank (None without words)."""
    mask = snapshot.live(today)
    rank = None
    words = terms(query.q)
    if words:
        matched, rank = _text_match(snapshot, words)
        mask &= matched
    with np.errstate(invalid="ignore"):  # NaN compares false, as NULL does
        if query.min_score is not None:
            mask &= snapshot.overall_score >= query.min_score
        if query.min_rating is not None:
            mask &= snapshot.review_rating >= query.min_rating
        for code, minimum in query.domain_min:
            scores = snapshot.domains.get(code)
            if scores is None:
                return np.zeros_like(mask), rank
            mask &= scores >= minimum
    return mask, rank


_LANE = (1 << LANE_BITS) - 1
#: the facets, in their order (``queries.FACETS``)
FACETS = tuple(dict.fromkeys(facet for facet, _ in FACET_WORDS))
#: facet → (first, end) of its words in FACET_WORDS (a facet's words are adjacent)
_FACET_ROWS = {
    facet: (
        min(n for n, (name, _) in enumerate(FACET_WORDS) if name == facet),
        max(n for n, (name, _) in enumerate(FACET_WORDS) if name == facet) + 1,
    )
    for facet, _ in FACET_WORDS
}


def _facet_counts(snapshot: Snapshot, base: np.ndarray, masks: dict) -> tuple[int, dict]:
    """The total and the facet counts (each facet over the entries passing every other
    facet's filter), decoded from the summed facet words as ``queries`` does."""

    def passing(skip: str | None) -> np.ndarray:
        mask = base
        for name, other in masks.items():
            if name != skip:
                mask = mask & other
        return mask

    every = passing(None)
    total = int(np.count_nonzero(every))
    by_facet = {name: passing(name) if name in masks else every for name in FACETS}
    # The words summed under one mask are summed together, over the entries it selects
    # (a masked sum, ``sum(where=...)``, is several times slower than selecting first).
    words = [0] * len(FACET_WORDS)
    if all(mask is every for mask in by_facet.values()):
        words = np.compress(every, snapshot.facet_words, axis=1).sum(axis=1).tolist()
    else:
        for facet, (start, stop) in _FACET_ROWS.items():
            selected = np.compress(by_facet[facet], snapshot.facet_words[start:stop], axis=1)
            words[start:stop] = selected.sum(axis=1).tolist()
    facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for (facet, values), word in zip(FACET_WORDS, words, strict=True):
        for lane, value in enumerate(values):
            if count := (word >> (LANE_BITS * lane)) & _LANE:
                facets[facet][value] = count
    return total, facets


def _order_keys(snapshot: Snapshot, sort: str, rank: np.ndarray | None) -> list[np.ndarray]:
    """The sort keys, most significant first, all descending (``queries._order``)."""
    ids = snapshot.id_key
    by_score = [snapshot.overall_score, ids]
    if sort == "recent":
        return [snapshot.decided_at, ids]
    if sort == "rating":
        return [snapshot.review_rating, ids]
    if sort == "relevance" and rank is not None:
        return [rank, *by_score]
    return by_score


def _page_slots(keys: list[np.ndarray], candidates: np.ndarray, start: int, stop: int):
    """The slots of ``candidates`` ranked start..stop by ``keys`` descending, NULL (NaN)
    last as in SQLite, without sorting them all: only those at or above the stop-th
    value of the first key are sorted."""
    if stop <= 0 or len(candidates) == 0:
        return candidates[:0]
    columns = [np.nan_to_num(key[candidates], nan=-np.inf) for key in keys]
    if len(candidates) > stop:
        first = columns[0]
        threshold = np.partition(first, len(first) - stop)[len(first) - stop]
        keep = first >= threshold
        candidates = candidates[keep]
        columns = [c[keep] for c in columns]
    order = np.lexsort([-c for c in reversed(columns)])
    return candidates[order[start:stop]]


@dataclass
class MemoryAnswer:
    ids: list[int]
    total: int
    facets: dict


def answer(snapshot: Snapshot, query, today: date) -> MemoryAnswer:
    base, rank = _base_mask(snapshot, query, today)
    masks = _facet_masks(snapshot, query)
    total, facets = _facet_counts(snapshot, base, masks)
    selected = base
    for mask in masks.values():
        selected = selected & mask
    start = (query.page - 1) * query.per_page
    slots = _page_slots(
        _order_keys(snapshot, query.sort, rank),
        np.flatnonzero(selected),
        start,
        start + query.per_page,
    )
    return MemoryAnswer(ids=snapshot.ids[slots].tolist(), total=total, facets=facets)


# --- the snapshot of this process ------------------------------------------------------

_lock = threading.Lock()
_snapshots: dict[str, Snapshot] = {}
#: databases whose snapshot is being rebuilt by a thread of this process
_rebuilding: set[str] = set()
log = logging.getLogger(__name__)


def snapshot_for(key: str, max_age: float, background: bool) -> Snapshot | None:
    """This process's snapshot of the catalogue in state ``key``, or None for now.

    When there is none, or the one at hand is of another state or older than ``max_age``
    seconds, it is built here, or with ``background`` by a thread while the searches go
    on: with the former snapshot (a public answer may be 60 seconds old anyway, and its
    rows are read in force), or by SQL until the first is ready (at 100,000 solutions a
    build takes seconds)."""
    url = str(db.engine.url)
    current = _snapshots.get(url)
    if current is not None and current.key == key and time.monotonic() - current.built_at < max_age:
        return current
    if background:
        _rebuild_later(url, key)
        return current
    with _lock:
        current = _snapshots.get(url)
        if current is None or current.key != key or time.monotonic() - current.built_at >= max_age:
            current = _snapshots[url] = build(key)
    return current


def _rebuild_later(url: str, key: str) -> None:
    with _lock:
        if url in _rebuilding:
            return
        _rebuilding.add(url)
    app = current_app._get_current_object()

    def rebuild() -> None:
        try:
            with app.app_context():
                try:
                    snapshot = build(key)
                finally:
                    db.session.remove()
            with _lock:
                _snapshots[url] = snapshot
        except Exception:  # the searches go on with the former snapshot, or by SQL
            log.exception("catalogue index: rebuild failed")
        finally:
            with _lock:
                _rebuilding.discard(url)

    threading.Thread(target=rebuild, name="catalogue-index", daemon=True).start()


def mark_stale(url: str | None = None) -> None:
    """The snapshot (of one database, or all) is to be rebuilt before it is trusted again."""
    with _lock:
        for name, snapshot in _snapshots.items():
            if url is None or name == url:
                snapshot.built_at = -math.inf


def drop() -> None:
    """Forget every snapshot (tests that rebuild a database under the same address)."""
    with _lock:
        _snapshots.clear()


@lru_cache(maxsize=4)
def _rows_statement(columns: tuple):
    entry = CatalogueEntry.__table__
    return (
        select(*columns)
        .join(Audit, Audit.id == entry.c.audit_id)
        .where(
            in_force(bindparam("today", type_=Date)),
            entry.c.id.in_(bindparam("ids", expanding=True)),
        )
    )


def live_rows(ids: list[int], columns: tuple, today: date) -> list:
    """The rows of ``ids`` whose approval is in force, in the order of ``ids``."""
    if not ids:
        return []
    rows = db.session.execute(_rows_statement(columns), {"today": today, "ids": ids}).all()
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]
