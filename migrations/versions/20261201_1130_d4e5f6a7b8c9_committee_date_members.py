"""committee decision: the committee's date and the members present

Revision ID: d4e5f6a7b8c9
Revises: 4b8d6f0a2c31
Create Date: 2026-12-01 11:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e5f6a7b8c9'
down_revision = '4b8d6f0a2c31'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('committee_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('committee_members', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_column('committee_members')
        batch_op.drop_column('committee_date')
