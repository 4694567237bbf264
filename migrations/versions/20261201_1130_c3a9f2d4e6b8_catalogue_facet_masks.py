"""catalogue: subjects and levels as bit masks on the entry (facet counts in one pass), and
an index for the catalogue's state (the latest status change of an audit)

``catalogue_entry.subject_mask`` and ``level_mask`` hold one bit per subject and level
(``catalogue.models.SUBJECT_BITS`` / ``LEVEL_BITS``, append-only lists); the facet counts and
the subject and level filters read them on the entry row the search already reads, instead
of joining the link tables once per facet. Existing entries get their masks from the link
tables here, with the bit positions of this date.

Revision ID: c3a9f2d4e6b8
Revises: 6977a99ad29e
Create Date: 2026-12-01 11:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "c3a9f2d4e6b8"
down_revision = "6977a99ad29e"
branch_labels = None
depends_on = None

#: the bit positions on 2026-12-01 (catalogue.models.SUBJECT_BITS, LEVEL_BITS), frozen here
SUBJECTS = (
    "francais", "mathematiques", "histoire-geographie", "emc", "sciences", "svt",
    "physique-chimie", "technologie", "nsi", "ses", "philosophie", "langues-vivantes",
    "arts-plastiques", "education-musicale", "eps", "documentation",
    "enseignement-professionnel", "pluridisciplinaire",
)  # fmt: skip
LEVELS = (
    "cycle1", "cycle2", "cycle3", "cycle4", "lycee-general", "lycee-technologique",
    "lycee-professionnel", "superieur",
)  # fmt: skip


def upgrade():
    with op.batch_alter_table("catalogue_entry", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("subject_mask", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("level_mask", sa.Integer(), nullable=False, server_default="0")
        )
    bind = op.get_bind()
    for column, table, codes in (
        ("subject_mask", "catalogue_entry_subject", SUBJECTS),
        ("level_mask", "catalogue_entry_level", LEVELS),
    ):
        for position, code in enumerate(codes):
            bind.execute(
                sa.text(
                    f"UPDATE catalogue_entry SET {column} = {column} + :bit WHERE id IN "
                    f"(SELECT entry_id FROM {table} WHERE code = :code)"
                ),
                {"bit": 1 << position, "code": code},
            )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index("ix_audit_status_changed_at", ["status_changed_at"], unique=False)


def downgrade():
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_status_changed_at")
    with op.batch_alter_table("catalogue_entry", schema=None) as batch_op:
        batch_op.drop_column("level_mask")
        batch_op.drop_column("subject_mask")
