"""outgoing mail: the transactional outbox

Revision ID: 5b1e7c2a9f04
Revises: 5b1e2c7d9a40, 5d327cbe424d (joins the two heads)
Create Date: 2026-12-01 07:50:00

"""
from alembic import op
import sqlalchemy as sa

import accelerator.core.db


# revision identifiers, used by Alembic.
revision = '5b1e7c2a9f04'
down_revision = ('5b1e2c7d9a40', '5d327cbe424d')
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outgoing_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('template', sa.String(length=100), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sending', 'sent', 'failed', name='mail_status', native_enum=False, length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', accelerator.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', accelerator.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_mail'))
    )
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_mail_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_mail_status'))

    op.drop_table('outgoing_mail')
