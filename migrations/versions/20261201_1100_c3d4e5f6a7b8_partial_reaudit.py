"""partial re-audit: the domains audited again and the levels carried over

Revision ID: c3d4e5f6a7b8
Revises: b5e7c1d9a2f4
Create Date: 2026-12-01 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d4e5f6a7b8'
down_revision = 'b5e7c1d9a2f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reaudit_domains', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('carried_levels', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.drop_column('carried_levels')
        batch_op.drop_column('reaudit_domains')
