"""conditions followed: status, evidence of fulfilment, judgement, reminders

Revision ID: 9e5f6a7b8c93
Revises: 8d4e5f6a7b82
Create Date: 2026-12-01 08:20:00

"""
from alembic import op
import sqlalchemy as sa

import accelerator.core.db


# revision identifiers, used by Alembic.
revision = '9e5f6a7b8c93'
down_revision = '8d4e5f6a7b82'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('decision_condition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.Enum('open', 'evidence_submitted', 'met', 'not_met', name='condition_status', native_enum=False, length=20), server_default='open', nullable=False))
        batch_op.add_column(sa.Column('evidence_note', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('evidence_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('evidence_at', accelerator.core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('judged_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('comment', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('reminded_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('suspension_proposed_on', sa.Date(), nullable=True))
        batch_op.create_foreign_key('fk_decision_condition_evidence_id_evidence', 'evidence', ['evidence_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_decision_condition_judged_by_id_user_account', 'user_account', ['judged_by_id'], ['id'], ondelete='SET NULL')
    # Conditions already fulfilled stay so.
    op.execute("UPDATE decision_condition SET status = 'met' WHERE fulfilled_at IS NOT NULL")
    with op.batch_alter_table('catalogue_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conditions', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('catalogue_entry', schema=None) as batch_op:
        batch_op.drop_column('conditions')
    with op.batch_alter_table('decision_condition', schema=None) as batch_op:
        batch_op.drop_constraint('fk_decision_condition_judged_by_id_user_account', type_='foreignkey')
        batch_op.drop_constraint('fk_decision_condition_evidence_id_evidence', type_='foreignkey')
        batch_op.drop_column('suspension_proposed_on')
        batch_op.drop_column('reminded_on')
        batch_op.drop_column('comment')
        batch_op.drop_column('judged_by_id')
        batch_op.drop_column('evidence_at')
        batch_op.drop_column('evidence_id')
        batch_op.drop_column('evidence_note')
        batch_op.drop_column('status')
