"""Reinvestment: the answer at enrolment, follow-up answers, the follow-up delay setting,
and the kept first session answered both ways

Revision ID: 4b8d6f0a2c31
Revises: c3a9f2d4e6b8
Create Date: 2026-12-01 11:15:00

"""

import sqlalchemy as sa
from alembic import op

import accelerator.core.db

# revision identifiers, used by Alembic.
revision = "4b8d6f0a2c31"
down_revision = "c3a9f2d4e6b8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("already_uses_in_class", sa.Boolean(), nullable=True))
    op.create_table(
        "certification_follow_up_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("used_in_class", sa.Boolean(), nullable=False),
        sa.Column("answered_at", accelerator.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollment.id"],
            name=op.f("fk_certification_follow_up_answer_enrollment_id_enrollment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification_follow_up_answer")),
        sa.UniqueConstraint(
            "enrollment_id", name=op.f("uq_certification_follow_up_answer_enrollment_id")
        ),
    )
    op.create_table(
        "reporting_follow_up_delay",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", accelerator.core.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "weeks BETWEEN 1 AND 52", name=op.f("ck_reporting_follow_up_delay_weeks_range")
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"],
            ["user_account.id"],
            name=op.f("fk_reporting_follow_up_delay_set_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporting_follow_up_delay")),
    )
    with op.batch_alter_table("reporting_kept_teacher", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_reinvestment_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("used_before", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("used_after", sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table("reporting_kept_teacher", schema=None) as batch_op:
        batch_op.drop_column("used_after")
        batch_op.drop_column("used_before")
        batch_op.drop_column("first_reinvestment_on")
    op.drop_table("reporting_follow_up_delay")
    op.drop_table("certification_follow_up_answer")
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.drop_column("already_uses_in_class")
