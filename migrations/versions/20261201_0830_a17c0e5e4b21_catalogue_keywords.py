"""catalogue: subjects and levels searchable by their names (a keywords text in the index)

Adds ``catalogue_entry.keywords`` (the French and English names of the solution's subjects
and levels) and puts it in the full-text structures: a fifth column of the FTS5 table on
SQLite, a fifth argument of ``catalogue_document`` on PostgreSQL (weight C; the
description moves to D so that subjects and levels rank above a mention in passing).
Existing entries get their keywords here, from the names as they were on this date.

Revision ID: a17c0e5e4b21
Revises: 7c4d2e9b1a63
Create Date: 2026-12-01 08:30:00

"""
import json
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "a17c0e5e4b21"
down_revision = "7c4d2e9b1a63"
branch_labels = None
depends_on = None

#: the reference names on 2026-12-01 (French, English), frozen for this data step
NAMES = {
    "francais": ("Français", "French"),
    "mathematiques": ("Mathématiques", "Mathematics"),
    "histoire-geographie": ("Histoire-géographie", "History and geography"),
    "emc": ("Enseignement moral et civique", "Moral and civic education"),
    "sciences": ("Sciences", "Sciences"),
    "svt": ("Sciences de la vie et de la Terre", "Life and earth sciences"),
    "physique-chimie": ("Physique-chimie", "Physics and chemistry"),
    "technologie": ("Technologie", "Technology"),
    "nsi": ("Numérique et sciences informatiques (NSI)", "Computer science (NSI)"),
    "ses": ("Sciences économiques et sociales", "Economic and social sciences"),
    "philosophie": ("Philosophie", "Philosophy"),
    "langues-vivantes": ("Langues vivantes", "Modern languages"),
    "arts-plastiques": ("Arts plastiques", "Visual arts"),
    "education-musicale": ("Éducation musicale", "Music education"),
    "eps": ("Éducation physique et sportive", "Physical education"),
    "documentation": ("Documentation", "Documentation"),
    "enseignement-professionnel": ("Enseignement professionnel", "Vocational teaching"),
    "pluridisciplinaire": ("Pluridisciplinaire", "Cross-disciplinary"),
    "cycle1": ("Cycle 1 (maternelle)", "Cycle 1 (nursery school)"),
    "cycle2": ("Cycle 2 (du CP au CE2)", "Cycle 2 (CP to CE2)"),
    "cycle3": ("Cycle 3 (du CM1 à la 6e)", "Cycle 3 (CM1 to 6e)"),
    "cycle4": ("Cycle 4 (de la 5e à la 3e)", "Cycle 4 (5e to 3e)"),
    "lycee-general": ("Lycée général", "General lycée"),
    "lycee-technologique": ("Lycée technologique", "Technological lycée"),
    "lycee-professionnel": ("Lycée professionnel", "Vocational lycée"),
    "superieur": ("Enseignement supérieur", "Higher education"),
}

OLD_DOCUMENT = """CREATE OR REPLACE FUNCTION catalogue_document(text, text, text, text) RETURNS tsvector
   LANGUAGE sql IMMUTABLE PARALLEL SAFE
   AS $$ SELECT
     setweight(to_tsvector('french'::regconfig, catalogue_unaccent(coalesce($1, ''))), 'A')
     || setweight(to_tsvector('french'::regconfig, catalogue_unaccent(coalesce($2, ''))), 'B')
     || setweight(to_tsvector('french'::regconfig, catalogue_unaccent(coalesce($3, ''))), 'B')
     || setweight(to_tsvector('french'::regconfig, catalogue_unaccent(coalesce($4, ''))), 'C')
   $$"""
NEW_DOCUMENT = """CREATE OR REPLACE FUNCTION catalogue_document(text, text, text, text, text)
   RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
   AS $$ SELECT
     setweight(to_tsvector('french'::regconfig, catalogue_unaccent(coalesce($1, ''))), 'A')
     || setweight(to_tsvector('french'::regconfig, catalogue_unaccent(coalesce($2, ''))), 'B')
     || setweight(to_tsvector('french'::regconfig, catalogue_unaccent(coalesce($3, ''))), 'B')
     || setweight(to_tsvector('french'::regconfig, catalogue_unaccent(coalesce($4, ''))), 'D')
     || setweight(to_tsvector('french'::regconfig, catalogue_unaccent(coalesce($5, ''))), 'C')
   $$"""


def _normalize(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _keywords(subjects, levels):
    codes = [c for c in list(subjects or []) + list(levels or []) if c in NAMES]
    names = [NAMES[c][0] for c in codes] + [NAMES[c][1] for c in codes]
    names += [c.replace("-", " ") for c in codes]
    return " ".join(dict.fromkeys(names))


def _loads(value):
    return json.loads(value) if isinstance(value, str) else (value or [])


def _rebuild_vector(bind, document: str, arguments: str) -> None:
    op.execute("DROP INDEX IF EXISTS ix_catalogue_entry_search")
    op.execute("ALTER TABLE catalogue_entry DROP COLUMN IF EXISTS search_vector")
    op.execute(document)
    op.execute(
        "ALTER TABLE catalogue_entry ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS (catalogue_document({arguments})) STORED"
    )
    op.execute(
        "CREATE INDEX ix_catalogue_entry_search ON catalogue_entry USING gin (search_vector)"
    )


def _rebuild_fts(bind, columns: list[str]) -> None:
    op.execute("DROP TABLE IF EXISTS catalogue_fts")
    op.execute(
        f"CREATE VIRTUAL TABLE catalogue_fts USING fts5({', '.join(columns)}, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    source = {
        "name": "name",
        "organization": "organization_name",
        "summary": "summary",
        "description": "description",
        "keywords": "keywords",
    }
    rows = bind.execute(
        sa.text(f"SELECT id, {', '.join(source[c] for c in columns)} FROM catalogue_entry")
    ).all()
    if rows:
        placeholders = ", ".join(f":{c}" for c in columns)
        bind.execute(
            sa.text(
                f"INSERT INTO catalogue_fts(rowid, {', '.join(columns)}) "
                f"VALUES (:rowid, {placeholders})"
            ),
            [
                {"rowid": row[0], **{c: _normalize(v) for c, v in zip(columns, row[1:])}}
                for row in rows
            ],
        )


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table("catalogue_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("keywords", sa.Text(), nullable=False, server_default=""))
    entries = bind.execute(sa.text("SELECT id, subjects, levels FROM catalogue_entry")).all()
    if entries:
        bind.execute(
            sa.text("UPDATE catalogue_entry SET keywords = :keywords WHERE id = :id"),
            [
                {"id": id_, "keywords": _keywords(_loads(subjects), _loads(levels))}
                for id_, subjects, levels in entries
            ],
        )
    if bind.dialect.name == "postgresql":
        _rebuild_vector(
            bind, NEW_DOCUMENT, "name, organization_name, summary, description, keywords"
        )
        op.execute("DROP FUNCTION IF EXISTS catalogue_document(text, text, text, text)")
    else:
        _rebuild_fts(bind, ["name", "organization", "summary", "description", "keywords"])


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _rebuild_vector(bind, OLD_DOCUMENT, "name, organization_name, summary, description")
        op.execute("DROP FUNCTION IF EXISTS catalogue_document(text, text, text, text, text)")
    else:
        _rebuild_fts(bind, ["name", "organization", "summary", "description"])
    with op.batch_alter_table("catalogue_entry", schema=None) as batch_op:
        batch_op.drop_column("keywords")
