"""catalogue entries carry the logo a manager accepted

Revision ID: d7e8f9a0b1c2
Revises: c3a9d7e1f205
Create Date: 2026-12-01 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7e8f9a0b1c2'
down_revision = 'c3a9d7e1f205'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('catalogue_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logo_name', sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table('catalogue_entry', schema=None) as batch_op:
        batch_op.drop_column('logo_name')
