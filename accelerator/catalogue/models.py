"""The catalogue's search index: one denormalised row per solution with an approval in force.

The index is a read model, rebuilt from audits by ``operations.refresh_catalogue_entry``;
the source of truth stays in ``audits``. Listings still join each entry to its audit and
check the approval's live state, so a missed refresh never shows a suspended or expired
approval. The full-text structures (an FTS5 table on SQLite, a generated ``tsvector``
column with a GIN index on PostgreSQL) are created by the migration only and described in
``catalogue.search``; they are kept out of the metadata (see ``core.db.UNMANAGED_NAMES``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.audits.models import Audit, Pricing, Solution
from accelerator.core.db import UNMANAGED_NAMES, UTCDateTime, utcnow
from accelerator.extensions import db

#: The full-text structures the migration creates by hand (see ``catalogue.search``).
FTS_TABLE = "catalogue_fts"
SEARCH_VECTOR = "search_vector"
UNMANAGED_NAMES.update({f"{FTS_TABLE}*", SEARCH_VECTOR, "ix_catalogue_entry_search"})
#: One row whose ``revision`` the database's triggers bump at every insert, update or
#: delete of an entry, whoever writes (migration c7d8e9f0a1b2): the catalogue's state reads
#: it instead of counting the entries. Kept out of the metadata like the full-text
#: structures, so that no ORM code writes it and emptying the tables leaves it counting.
REVISION_TABLE = "catalogue_revision"
UNMANAGED_NAMES.add(REVISION_TABLE)

#: The bit of each subject and level in ``CatalogueEntry.subject_mask`` / ``level_mask``.
#: APPEND ONLY: a code keeps its bit for ever (the stored masks use it); a new subject or
#: level of ``core.reference`` gets the next bit here (a test checks none is missing).
SUBJECT_BITS: tuple[str, ...] = (
    "francais", "mathematiques", "histoire-geographie", "emc", "sciences", "svt",
    "physique-chimie", "technologie", "nsi", "ses", "philosophie", "langues-vivantes",
    "arts-plastiques", "education-musicale", "eps", "documentation",
    "enseignement-professionnel", "pluridisciplinaire",
)  # fmt: skip
LEVEL_BITS: tuple[str, ...] = (
    "cycle1", "cycle2", "cycle3", "cycle4", "lycee-general", "lycee-technologique",
    "lycee-professionnel", "superieur",
)  # fmt: skip


def bit_mask(codes: Iterable[str], bits: tuple[str, ...]) -> int:
    """The mask of ``codes`` (those without a bit are left out)."""
    return sum(1 << bits.index(code) for code in set(codes) if code in bits)


#: Facet vectors: each entry carries, for every facet value, a counter worth 1 if it has that
#: value and 0 if not, packed LANES_PER_WORD to a 64-bit integer, LANE_BITS bits each. Adding
#: the words of the matching entries (``SUM``) counts every value of a facet at once: the
#: facet counts cost a few sums per row instead of one conditional count per value. 21 bits
#: count exactly up to 2,097,151 entries; a word holds the values of one facet only, so a
#: facet's words can be summed under that facet's own condition (disjunctive facets).
LANE_BITS = 21
LANES_PER_WORD = 3
#: (facet, the values of each of its words in lane order), in the order of the columns
#: ``facet_word_0`` ... (append only, like the bits: a 19th subject needs a new word column)
FACET_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (facet, values[start : start + LANES_PER_WORD])
    for facet, values in (
        ("subject", SUBJECT_BITS),
        ("level", LEVEL_BITS),
        ("pricing", tuple(pricing.value for pricing in Pricing)),
        ("gar", ("true", "false")),
    )
    for start in range(0, len(values), LANES_PER_WORD)
)


def facet_words(subjects: Iterable[str], levels: Iterable[str], pricing: str, gar: bool) -> dict:
    """The values of the ``facet_word_N`` columns of an entry."""
    has = {
        "subject": set(subjects),
        "level": set(levels),
        "pricing": {pricing},
        "gar": {"true" if gar else "false"},
    }
    return {
        f"facet_word_{n}": sum(
            1 << (LANE_BITS * lane) for lane, value in enumerate(values) if value in has[facet]
        )
        for n, (facet, values) in enumerate(FACET_WORDS)
    }


class CatalogueEntry(db.Model):
    __tablename__ = "catalogue_entry"
    __table_args__ = (
        # The sorts (score, most recent) read these backwards and stop after one page.
        Index("ix_catalogue_entry_score", "overall_score", "id"),
        Index("ix_catalogue_entry_decided_at", "decided_at", "id"),
        Index("ix_catalogue_entry_review_rating", "review_rating", "id"),
        # max(updated_at) for the ETag without reading the table
        Index("ix_catalogue_entry_updated_at", "updated_at"),
        # Everything the facet counts and the filters read, from the join on the audit: a
        # search without words counts its facets from this index alone, not the wide rows.
        Index(
            "ix_catalogue_entry_facets",
            "audit_id",
            "subject_mask",
            "level_mask",
            "pricing",
            "gar_compatible",
            "overall_score",
            "review_rating",
            *(f"facet_word_{n}" for n in range(len(FACET_WORDS))),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), unique=True
    )
    #: the approval shown (the latest in force when the entry was refreshed)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organization_name: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    #: what a teacher may type besides the texts: the subjects' and levels' names in French
    #: and English (``search.keywords_for``), searched like the other texts
    keywords: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str | None] = mapped_column(String(500))
    #: the logo a manager accepted (content-addressed file name; None: no logo)
    logo_name: Mapped[str | None] = mapped_column(String(100))
    #: Pricing code (audits.models.Pricing)
    pricing: Mapped[str] = mapped_column(String(20), index=True)
    gar_compatible: Mapped[bool] = mapped_column(default=False, index=True)
    #: discipline codes, for display (filtering uses ``subject_mask``)
    subjects: Mapped[list] = mapped_column(JSON, default=list)
    #: level codes, for display (filtering uses ``level_mask``)
    levels: Mapped[list] = mapped_column(JSON, default=list)
    #: the subjects and levels as bits (``SUBJECT_BITS``, ``LEVEL_BITS``): the filters and the
    #: facet counts read them on the row the search reads anyway (one pass, no join)
    subject_mask: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    level_mask: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: the facet vectors (``FACET_WORDS``): the facet counts add them up
    facet_word_0: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    facet_word_1: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    facet_word_2: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    facet_word_3: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    facet_word_4: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    facet_word_5: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    facet_word_6: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    facet_word_7: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    facet_word_8: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    facet_word_9: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    facet_word_10: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    #: [{"code", "name", "score"}] in the framework's order, for display
    domains: Mapped[list] = mapped_column(JSON, default=list)
    overall_score: Mapped[float] = mapped_column(Float)
    #: the decision's outcome (approved or approved_with_conditions)
    outcome: Mapped[str] = mapped_column(String(30))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[date] = mapped_column(Date)
    verification_code: Mapped[str] = mapped_column(String(32))
    #: the company declared a substantial change a manager has not decided yet
    change_under_review: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: the approval's conditions and their state ({text, due_date, status}), so that a
    #: condition judged changes the entry (and the ETag of its page)
    conditions: Mapped[list | None] = mapped_column(JSON)
    #: the solution's published teacher reviews: how many, and their average rating (0 while
    #: there is none), kept by ``catalogue.reviews`` in the unit of work of each review change
    #: and recounted by every refresh of the entry
    review_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    review_rating: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    #: changes only when the entry's content changes (the catalogue's ETag depends on it)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    solution: Mapped[Solution] = relationship()
    audit: Mapped[Audit] = relationship()
    subject_rows: Mapped[list[CatalogueSubject]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    level_rows: Mapped[list[CatalogueLevel]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    domain_rows: Mapped[list[CatalogueDomainScore]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class CatalogueSubject(db.Model):
    """One subject of an entry (the search reads ``CatalogueEntry.subject_mask`` instead)."""

    __tablename__ = "catalogue_entry_subject"
    __table_args__ = (Index("ix_catalogue_entry_subject_code", "code", "entry_id"),)

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_entry.id", ondelete="CASCADE"), primary_key=True
    )
    #: discipline code (core.reference.DISCIPLINES)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)


class CatalogueLevel(db.Model):
    __tablename__ = "catalogue_entry_level"
    __table_args__ = (Index("ix_catalogue_entry_level_code", "code", "entry_id"),)

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_entry.id", ondelete="CASCADE"), primary_key=True
    )
    #: level code (core.reference.LEVELS)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)


class CatalogueDomainScore(db.Model):
    """An entry's score in one domain of the framework, for the per-domain minimums."""

    __tablename__ = "catalogue_entry_domain"
    __table_args__ = (Index("ix_catalogue_entry_domain_code_score", "code", "score", "entry_id"),)

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_entry.id", ondelete="CASCADE"), primary_key=True
    )
    #: the framework's domain code (criteria.models.Domain.code)
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    #: the domain's name in the framework version the approval was scored on
    name: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)


from accelerator.catalogue.reviews.models import (  # noqa: E402,F401  (the reviews' tables)
    Review,
    ReviewModeration,
    ReviewReport,
)
