"""merge reporting and criteria heads

Revision ID: 15303fcb4a1a
Revises: 5d327cbe424d, 5b1e2c7d9a40
Create Date: 2026-12-01 07:42:10.763243

"""
from alembic import op
import sqlalchemy as sa

import accelerator.core.db


# revision identifiers, used by Alembic.
revision = '15303fcb4a1a'
down_revision = ('5d327cbe424d', '5b1e2c7d9a40')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
