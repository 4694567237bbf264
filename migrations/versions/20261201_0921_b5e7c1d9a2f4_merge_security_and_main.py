"""merge heads: email verification (security) and main's latest

Revision ID: b5e7c1d9a2f4
Revises: df6dbae27e00, 9e5f6a7b8c93
Create Date: 2026-12-01 09:21:00

"""


# revision identifiers, used by Alembic.
revision = 'b5e7c1d9a2f4'
down_revision = ('df6dbae27e00', '9e5f6a7b8c93')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
