"""training paths (parcours), their modules and path certificates

Revision ID: 6977a99ad29e
Revises: 3a9c5e7f1b20
Create Date: 2026-12-01 10:29:06.184333

"""
from alembic import op
import sqlalchemy as sa

import accelerator.core.db


# revision identifiers, used by Alembic.
revision = '6977a99ad29e'
down_revision = '3a9c5e7f1b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('training_path',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', name='path_status', native_enum=False, length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', accelerator.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', accelerator.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_training_path_created_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_path'))
    )
    op.create_table('path_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path_id', sa.Integer(), nullable=False),
    sa.Column('teacher_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('issued_at', accelerator.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', accelerator.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['path_id'], ['training_path.id'], name=op.f('fk_path_certificate_path_id_training_path'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['teacher_id'], ['teacher_profile.id'], name=op.f('fk_path_certificate_teacher_id_teacher_profile'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_path_certificate')),
    sa.UniqueConstraint('code', name=op.f('uq_path_certificate_code')),
    sa.UniqueConstraint('path_id', 'teacher_id', name=op.f('uq_path_certificate_path_id'))
    )
    with op.batch_alter_table('path_certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_path_certificate_issued_at'), ['issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_path_certificate_teacher_id'), ['teacher_id'], unique=False)

    op.create_table('training_path_module',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('solution_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['path_id'], ['training_path.id'], name=op.f('fk_training_path_module_path_id_training_path'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['solution_id'], ['solution.id'], name=op.f('fk_training_path_module_solution_id_solution'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_path_module')),
    sa.UniqueConstraint('path_id', 'solution_id', name=op.f('uq_training_path_module_path_id'))
    )
    with op.batch_alter_table('training_path_module', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_path_module_path_id'), ['path_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_path_module_solution_id'), ['solution_id'], unique=False)



def downgrade():
    with op.batch_alter_table('training_path_module', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_path_module_solution_id'))
        batch_op.drop_index(batch_op.f('ix_training_path_module_path_id'))

    op.drop_table('training_path_module')
    with op.batch_alter_table('path_certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_path_certificate_teacher_id'))
        batch_op.drop_index(batch_op.f('ix_path_certificate_issued_at'))

    op.drop_table('path_certificate')
    op.drop_table('training_path')
