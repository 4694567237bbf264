"""declarations frozen on audits, public texts reviewed after approval, substantial changes

Revision ID: 8d4e5f6a7b82
Revises: 07926df92951
Create Date: 2026-12-01 08:10:00

"""
from alembic import op
import sqlalchemy as sa

import accelerator.core.db


# revision identifiers, used by Alembic.
revision = '8d4e5f6a7b82'
down_revision = '07926df92951'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('solution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hosting_provider', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('product_version', sa.String(length=50), server_default='', nullable=False))
        batch_op.add_column(sa.Column('approved_texts', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('texts_pending_since', accelerator.core.db.UTCDateTime(), nullable=True))
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declarations', sa.JSON(), nullable=True))
    with op.batch_alter_table('catalogue_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_under_review', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table('substantial_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('solution_id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('declarations', sa.JSON(), nullable=False),
    sa.Column('declared_by_id', sa.Integer(), nullable=True),
    sa.Column('declared_at', accelerator.core.db.UTCDateTime(), nullable=False),
    sa.Column('outcome', sa.Enum('no_impact', 'partial_reaudit', 'suspension', name='change_outcome', native_enum=False, length=20), nullable=True),
    sa.Column('domains', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', accelerator.core.db.UTCDateTime(), nullable=True),
    sa.Column('reaudit_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['audit_id'], ['audit.id'], name=op.f('fk_substantial_change_audit_id_audit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_substantial_change_decided_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['declared_by_id'], ['user_account.id'], name=op.f('fk_substantial_change_declared_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reaudit_id'], ['audit.id'], name=op.f('fk_substantial_change_reaudit_id_audit'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['solution_id'], ['solution.id'], name=op.f('fk_substantial_change_solution_id_solution'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_substantial_change'))
    )
    with op.batch_alter_table('substantial_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_substantial_change_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_substantial_change_solution_id'), ['solution_id'], unique=False)
        batch_op.create_index('uq_substantial_change_open', ['solution_id'], unique=True, sqlite_where=sa.text('outcome IS NULL'), postgresql_where=sa.text('outcome IS NULL'))


def downgrade():
    op.drop_table('substantial_change')
    with op.batch_alter_table('catalogue_entry', schema=None) as batch_op:
        batch_op.drop_column('change_under_review')
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.drop_column('declarations')
    with op.batch_alter_table('solution', schema=None) as batch_op:
        batch_op.drop_column('texts_pending_since')
        batch_op.drop_column('approved_texts')
        batch_op.drop_column('product_version')
        batch_op.drop_column('hosting_provider')
