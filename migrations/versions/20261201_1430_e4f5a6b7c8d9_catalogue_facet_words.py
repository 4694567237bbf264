"""catalogue: facet vectors on the entry (the facet counts add them up)

``catalogue_entry.facet_word_0`` ... ``facet_word_10`` hold, for each value of the facets
(subjects, levels, pricing, GAR compatibility), a 21-bit counter worth 1 when the entry has
it, three to a word (``catalogue.models.FACET_WORDS``): a search's facet counts are eleven
sums over the matching entries instead of one conditional count per value; an index holds
what the counts and the filters read, so a search without words never reads the wide rows.
Existing
entries get their words from their masks, pricing and GAR compatibility, with the layout of
this date.

Revision ID: e4f5a6b7c8d9
Revises: b8c9d0e1f2a3
Create Date: 2026-12-01 14:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e4f5a6b7c8d9"
down_revision = "b8c9d0e1f2a3"
branch_labels = None
depends_on = None

LANE_BITS = 21
#: the words on 2026-12-01 (catalogue.models.FACET_WORDS), frozen here: for each word, the
#: SQL test of each of its lanes (subject and level bits of the masks, pricing, GAR)
_SUBJECT_BITS, _LEVEL_BITS = 18, 8
WORDS = (
    [[f"(subject_mask & {1 << bit}) <> 0" for bit in range(b, min(b + 3, _SUBJECT_BITS))]
     for b in range(0, _SUBJECT_BITS, 3)]
    + [[f"(level_mask & {1 << bit}) <> 0" for bit in range(b, min(b + 3, _LEVEL_BITS))]
       for b in range(0, _LEVEL_BITS, 3)]
    + [[f"pricing = '{value}'" for value in ("free", "freemium", "paid")]]
    + [["gar_compatible = TRUE", "gar_compatible = FALSE"]]
)  # fmt: skip


def upgrade():
    with op.batch_alter_table("catalogue_entry", schema=None) as batch_op:
        for n in range(len(WORDS)):
            batch_op.add_column(
                sa.Column(f"facet_word_{n}", sa.BigInteger(), nullable=False, server_default="0")
            )
    bind = op.get_bind()
    for n, lanes in enumerate(WORDS):
        value = " + ".join(
            f"CASE WHEN {test} THEN {1 << (LANE_BITS * lane)} ELSE 0 END"
            for lane, test in enumerate(lanes)
        )
        # constants of this file only, no input
        bind.execute(sa.text(f"UPDATE catalogue_entry SET facet_word_{n} = {value}"))  # noqa: S608
    with op.batch_alter_table("catalogue_entry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_catalogue_entry_facets",
            ["audit_id", "subject_mask", "level_mask", "pricing", "gar_compatible"]
            + ["overall_score"]
            + [f"facet_word_{n}" for n in range(len(WORDS))],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("catalogue_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_catalogue_entry_facets")
        for n in reversed(range(len(WORDS))):
            batch_op.drop_column(f"facet_word_{n}")
