"""verified teacher reviews of catalogue solutions, their reports and moderation history;
the catalogue entry keeps the published reviews' count and average

Revision ID: 709bcb7aea64
Revises: a1c4e7b9d2f6
Create Date: 2026-12-01 14:13:22.542105

"""
from alembic import op
import sqlalchemy as sa

import accelerator.core.db


# revision identifiers, used by Alembic.
revision = '709bcb7aea64'
down_revision = 'a1c4e7b9d2f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('solution_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('solution_id', sa.Integer(), nullable=False),
    sa.Column('teacher_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('published', 'hidden', name='review_status', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', accelerator.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('edited_at', accelerator.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', accelerator.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('rating >= 1 AND rating <= 5', name=op.f('ck_solution_review_rating_range')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_solution_review_answered_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['solution_id'], ['solution.id'], name=op.f('fk_solution_review_solution_id_solution'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['teacher_id'], ['teacher_profile.id'], name=op.f('fk_solution_review_teacher_id_teacher_profile'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_solution_review')),
    sa.UniqueConstraint('solution_id', 'teacher_id', name='uq_solution_review_teacher')
    )
    with op.batch_alter_table('solution_review', schema=None) as batch_op:
        batch_op.create_index('ix_solution_review_solution_status', ['solution_id', 'status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_solution_review_teacher_id'), ['teacher_id'], unique=False)

    op.create_table('solution_review_moderation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('hide', 'keep', name='review_moderation_action', native_enum=False, length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', accelerator.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_solution_review_moderation_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['solution_review.id'], name=op.f('fk_solution_review_moderation_review_id_solution_review'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_solution_review_moderation'))
    )
    with op.batch_alter_table('solution_review_moderation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_solution_review_moderation_review_id'), ['review_id'], unique=False)

    op.create_table('solution_review_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', accelerator.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('moderation_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['moderation_id'], ['solution_review_moderation.id'], name=op.f('fk_solution_review_report_moderation_id_solution_review_moderation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reporter_id'], ['user_account.id'], name=op.f('fk_solution_review_report_reporter_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['solution_review.id'], name=op.f('fk_solution_review_report_review_id_solution_review'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_solution_review_report')),
    sa.UniqueConstraint('review_id', 'reporter_id', name='uq_solution_review_report_reporter')
    )
    with op.batch_alter_table('solution_review_report', schema=None) as batch_op:
        batch_op.create_index('ix_solution_review_report_pending', ['moderation_id', 'review_id'], unique=False)

    with op.batch_alter_table('catalogue_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('review_rating', sa.Float(), server_default='0', nullable=False))
        batch_op.create_index('ix_catalogue_entry_review_rating', ['review_rating', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('catalogue_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_catalogue_entry_review_rating')
        batch_op.drop_column('review_rating')
        batch_op.drop_column('review_count')

    with op.batch_alter_table('solution_review_report', schema=None) as batch_op:
        batch_op.drop_index('ix_solution_review_report_pending')

    op.drop_table('solution_review_report')
    with op.batch_alter_table('solution_review_moderation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_solution_review_moderation_review_id'))

    op.drop_table('solution_review_moderation')
    with op.batch_alter_table('solution_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_solution_review_teacher_id'))
        batch_op.drop_index('ix_solution_review_solution_status')

    op.drop_table('solution_review')
