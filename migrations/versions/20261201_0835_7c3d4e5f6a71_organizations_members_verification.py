"""organizations: owner and members, invitations, requests to join, verification, history

Revision ID: 7c3d4e5f6a71
Revises: a17c0e5e4b21
Create Date: 2026-12-01 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import accelerator.core.db


# revision identifiers, used by Alembic.
revision = '7c3d4e5f6a71'

down_revision = 'a17c0e5e4b21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organization_role', sa.Enum('owner', 'member', name='organization_role', native_enum=False, length=10), nullable=True))
    # Existing companies: the first member is the owner, the others members.
    op.execute("UPDATE user_account SET organization_role = 'member' WHERE organization_id IS NOT NULL")
    op.execute(
        "UPDATE user_account SET organization_role = 'owner' WHERE id IN "
        "(SELECT MIN(id) FROM user_account WHERE organization_id IS NOT NULL GROUP BY organization_id)"
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index('uq_user_account_organization_owner', ['organization_id'], unique=True, sqlite_where=sa.text("organization_role = 'owner'"), postgresql_where=sa.text("organization_role = 'owner'"))

    op.create_table('organization_verification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.Enum('sirene', 'kbis', 'other', name='verification_method', native_enum=False, length=10), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('verified_by_id', sa.Integer(), nullable=False),
    sa.Column('verified_at', accelerator.core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_organization_verification_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['user_account.id'], name=op.f('fk_organization_verification_verified_by_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_verification')),
    sa.UniqueConstraint('organization_id', name=op.f('uq_organization_verification_organization_id'))
    )
    with op.batch_alter_table('organization_verification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_verification_verified_by_id'), ['verified_by_id'], unique=False)

    op.create_table('organization_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', accelerator.core.db.UTCDateTime(), nullable=False),
    sa.Column('accepted_at', accelerator.core.db.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', accelerator.core.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user_account.id'], name=op.f('fk_organization_invitation_invited_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_organization_invitation_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_invitation'))
    )
    with op.batch_alter_table('organization_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_invitation_invited_by_id'), ['invited_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organization_invitation_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('uq_organization_invitation_open', ['organization_id', 'email'], unique=True, sqlite_where=sa.text('accepted_at IS NULL AND revoked_at IS NULL'), postgresql_where=sa.text('accepted_at IS NULL AND revoked_at IS NULL'))

    op.create_table('organization_join_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'accepted', 'refused', 'disputed', 'granted', 'transferred', 'dismissed', name='join_status', native_enum=False, length=12), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', accelerator.core.db.UTCDateTime(), nullable=False),
    sa.Column('decided_at', accelerator.core.db.UTCDateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_organization_join_request_decided_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_organization_join_request_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_organization_join_request_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_join_request'))
    )
    with op.batch_alter_table('organization_join_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_join_request_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organization_join_request_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_organization_join_request_open', ['user_id'], unique=True, sqlite_where=sa.text("status IN ('pending', 'disputed')"), postgresql_where=sa.text("status IN ('pending', 'disputed')"))

    op.create_table('organization_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('created', 'invited', 'invitation_revoked', 'joined', 'left', 'ownership_transferred', 'join_requested', 'join_accepted', 'join_refused', 'join_disputed', 'dispute_granted', 'dispute_transferred', 'dispute_dismissed', 'verified', name='organization_action', native_enum=False, length=30), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', accelerator.core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_organization_event_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_organization_event_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['user_account.id'], name=op.f('fk_organization_event_subject_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_event'))
    )
    with op.batch_alter_table('organization_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_event_organization_id'), ['organization_id'], unique=False)


def downgrade():
    op.drop_table('organization_event')
    op.drop_table('organization_join_request')
    op.drop_table('organization_invitation')
    op.drop_table('organization_verification')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index('uq_user_account_organization_owner', sqlite_where=sa.text("organization_role = 'owner'"), postgresql_where=sa.text("organization_role = 'owner'"))
        batch_op.drop_column('organization_role')
