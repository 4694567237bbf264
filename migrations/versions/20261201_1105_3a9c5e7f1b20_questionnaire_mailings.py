"""Questionnaires emailed after a session: one row per (enrolment, kind) sent

Revision ID: 3a9c5e7f1b20
Revises: c3d4e5f6a7b8
Create Date: 2026-12-01 10:50:00

"""

import sqlalchemy as sa
from alembic import op

import accelerator.core.db

# revision identifiers, used by Alembic.
revision = "3a9c5e7f1b20"
down_revision = "c3d4e5f6a7b8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "certification_questionnaire_mailing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "satisfaction",
                "follow_up",
                name="questionnaire_kind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("sent_at", accelerator.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollment.id"],
            name=op.f("fk_certification_questionnaire_mailing_enrollment_id_enrollment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification_questionnaire_mailing")),
        sa.UniqueConstraint(
            "enrollment_id",
            "kind",
            name=op.f("uq_certification_questionnaire_mailing_enrollment_id"),
        ),
    )


def downgrade():
    op.drop_table("certification_questionnaire_mailing")
