"""domain floors and solutions' uses_ai

Revision ID: 5b1e2c7d9a40
Revises: d9b103ca0da2
Create Date: 2026-12-01 07:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e2c7d9a40'
down_revision = 'd9b103ca0da2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('criteria_domain', schema=None) as batch_op:
        batch_op.add_column(sa.Column('floor', sa.Float(), nullable=True))
    with op.batch_alter_table('solution', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('uses_ai', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table('solution', schema=None) as batch_op:
        batch_op.drop_column('uses_ai')
    with op.batch_alter_table('criteria_domain', schema=None) as batch_op:
        batch_op.drop_column('floor')
