"""criteria: a public flag (the level an approved solution reached is shown in the catalogue)

The flag says what the catalogue shows of an approval, not what is assessed or how it is
scored: it is set here on the stored versions 2026.1 and 2026.2 of the cadre de confiance,
with the selection of their shipped files (``criteria/data/*.yaml``, ``public: true``).

Revision ID: b8c9d0e1f2a3
Revises: 709bcb7aea64
Create Date: 2026-12-01 15:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8c9d0e1f2a3'
down_revision = '709bcb7aea64'
branch_labels = None
depends_on = None

#: the criteria whose level is public, per shipped version (the files say the same)
PUBLIC = {
    "2026.1": (
        "RGPD-01", "RGPD-02", "RGPD-04", "RGPD-05", "SEC-01", "SEC-02", "ACC-01", "ACC-02",
        "INTEROP-01", "INTEROP-04", "INTEROP-05", "SOUV-01", "SOUV-03", "SOUV-05",
        "ETHIQUE-01", "SOBRIETE-04",
    ),
    "2026.2": (
        "RGPD-01", "RGPD-02", "RGPD-04", "RGPD-05", "SEC-01", "SEC-02", "ACC-01", "ACC-02",
        "INTEROP-01", "INTEROP-04", "INTEROP-05", "SOUV-01", "SOUV-03", "SOUV-05",
        "ETHIQUE-01", "ETHIQUE-06", "IA-01", "IA-04", "SOBRIETE-04",
    ),
}


def upgrade():
    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    for version, codes in PUBLIC.items():
        op.execute(
            sa.text(
                "UPDATE criterion SET public = :yes WHERE code IN :codes AND version_id IN ("
                " SELECT v.id FROM framework_version v JOIN framework f ON f.id = v.framework_id"
                " WHERE f.code = 'cadre-de-confiance' AND v.version = :version)"
            )
            .bindparams(sa.bindparam('codes', expanding=True))
            .bindparams(yes=True, codes=list(codes), version=version)
        )


def downgrade():
    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.drop_column('public')
