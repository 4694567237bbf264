"""catalogue: the facets index holds the teachers' average rating too

A search with a minimum rating and no words reads its filter from the index, like the
other filters, instead of the wide rows.

Revision ID: f5a6b7c8d9e0
Revises: e4f5a6b7c8d9
Create Date: 2026-12-01 14:55:00

"""

from alembic import op

revision = "f5a6b7c8d9e0"
down_revision = "e4f5a6b7c8d9"
branch_labels = None
depends_on = None

_FILTERS = ["audit_id", "subject_mask", "level_mask", "pricing", "gar_compatible"]
_WORDS = [f"facet_word_{n}" for n in range(11)]


def upgrade():
    with op.batch_alter_table("catalogue_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_catalogue_entry_facets")
        batch_op.create_index(
            "ix_catalogue_entry_facets",
            [*_FILTERS, "overall_score", "review_rating", *_WORDS],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("catalogue_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_catalogue_entry_facets")
        batch_op.create_index(
            "ix_catalogue_entry_facets", [*_FILTERS, "overall_score", *_WORDS], unique=False
        )
