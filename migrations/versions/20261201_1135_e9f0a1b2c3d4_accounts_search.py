"""accounts list: keyset indexes by name (and role), prefix indexes for the search

Revision ID: e9f0a1b2c3d4
Revises: d4e5f6a7b8c9
Create Date: 2026-12-01 11:35:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e9f0a1b2c3d4'
down_revision = 'd4e5f6a7b8c9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index('ix_user_account_full_name_id', ['full_name', 'id'], unique=False)
        batch_op.create_index('ix_user_account_role_full_name_id', ['role', 'full_name', 'id'], unique=False)
    # The search compares prefixes of the name, case folded, and of the email (stored
    # lower-cased) byte by byte (core.db.starts_with); on SQLite the unique index on the
    # email serves the email's prefixes.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE INDEX ix_user_account_name_prefix ON user_account ((lower(full_name) COLLATE "C"))')
        op.execute('CREATE INDEX ix_user_account_email_prefix ON user_account ((email COLLATE "C"))')
    else:
        op.execute('CREATE INDEX ix_user_account_name_prefix ON user_account (full_name COLLATE NOCASE)')


def downgrade():
    op.execute('DROP INDEX IF EXISTS ix_user_account_email_prefix')
    op.execute('DROP INDEX IF EXISTS ix_user_account_name_prefix')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index('ix_user_account_role_full_name_id')
        batch_op.drop_index('ix_user_account_full_name_id')
