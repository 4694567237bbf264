"""import line: the first line of a duplicate (every error of a refused line is reported)

Revision ID: c3a9d7e1f205
Revises: e9f0a1b2c3d4
Create Date: 2026-12-01 10:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a9d7e1f205'
down_revision = 'e9f0a1b2c3d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_line', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('import_line', schema=None) as batch_op:
        batch_op.drop_column('first_line')
