"""merge: the outbox and the reporting/criteria merge landed at once (one head again)

Revision ID: 7c4d2e9b1a63
Revises: 15303fcb4a1a, 5b1e7c2a9f04
Create Date: 2026-12-01 07:53:00

"""


# revision identifiers, used by Alembic.
revision = '7c4d2e9b1a63'
down_revision = ('15303fcb4a1a', '5b1e7c2a9f04')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
