"""site checks: a solution's public addresses, the dated runs and their findings

Revision ID: a1c4e7b9d2f6
Revises: d7e8f9a0b1c2
Create Date: 2026-12-01 15:00:00

"""
from alembic import op
import sqlalchemy as sa

from accelerator.core.db import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'a1c4e7b9d2f6'
down_revision = 'd7e8f9a0b1c2'
branch_labels = None
depends_on = None

#: the kinds of checks as they were when this table was created (checks.findings.CheckKind)
KINDS = (
    'https',
    'tls_versions',
    'tls_certificate',
    'hsts',
    'csp',
    'content_type_options',
    'framing',
    'referrer_policy',
    'privacy_policy',
    'legal_notice',
    'accessibility_statement',
    'page_reachable',
    'cookies',
    'third_parties',
    'trackers',
    'accessibility',
    'ecoindex',
)


def upgrade():
    op.create_table(
        'solution_site',
        sa.Column('solution_id', sa.Integer(), nullable=False),
        sa.Column('landing_url', sa.String(length=500), nullable=True),
        sa.Column('login_url', sa.String(length=500), nullable=True),
        sa.Column('privacy_url', sa.String(length=500), nullable=True),
        sa.Column('legal_notice_url', sa.String(length=500), nullable=True),
        sa.Column('accessibility_url', sa.String(length=500), nullable=True),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['solution_id'], ['solution.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('solution_id'),
    )
    op.create_table(
        'site_check',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('solution_id', sa.Integer(), nullable=False),
        sa.Column('audit_id', sa.Integer(), nullable=True),
        sa.Column('job_id', sa.Integer(), nullable=True),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column(
            'trigger',
            sa.Enum('requested', 'monitoring', name='site_check_trigger', native_enum=False,
                    length=20),
            nullable=False,
        ),
        sa.Column('checked_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('addresses', sa.JSON(), nullable=False),
        sa.Column('summary', sa.JSON(), nullable=False),
        sa.Column('regressions', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['solution_id'], ['solution.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['audit_id'], ['audit.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['job_id'], ['job.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('site_check', schema=None) as batch_op:
        batch_op.create_index('ix_site_check_solution_at', ['solution_id', 'checked_at'])
        batch_op.create_index(batch_op.f('ix_site_check_audit_id'), ['audit_id'])
    op.create_table(
        'site_finding',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('check_id', sa.Integer(), nullable=False),
        sa.Column(
            'kind',
            sa.Enum(*KINDS, name='site_check_kind', native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column(
            'outcome',
            sa.Enum('pass', 'warn', 'fail', 'unknown', name='site_check_outcome', native_enum=False,
                    length=10),
            nullable=False,
        ),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('reason', sa.String(length=40), nullable=False),
        sa.Column('facts', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['check_id'], ['site_check.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('site_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_finding_check_id'), ['check_id'])


def downgrade():
    with op.batch_alter_table('site_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_finding_check_id'))
    op.drop_table('site_finding')
    with op.batch_alter_table('site_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_check_audit_id'))
        batch_op.drop_index('ix_site_check_solution_at')
    op.drop_table('site_check')
    op.drop_table('solution_site')
