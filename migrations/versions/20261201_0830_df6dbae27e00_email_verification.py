"""email verification: when an address was proven, and a teacher's answers waiting for it

Accounts that exist before this revision keep working: their address counts as verified
from their creation.

Revision ID: df6dbae27e00
Revises: 81fbbb35e1d6
Create Date: 2026-12-01 08:30:00

"""
from alembic import op
import sqlalchemy as sa

import accelerator.core.db


# revision identifiers, used by Alembic.
revision = 'df6dbae27e00'
down_revision = '81fbbb35e1d6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', accelerator.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('pending_teacher', sa.JSON(), nullable=True))
    op.execute("UPDATE user_account SET email_verified_at = created_at")


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('pending_teacher')
        batch_op.drop_column('email_verified_at')
