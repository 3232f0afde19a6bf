"""Town schema: the station's profile (one row).

Revision ID: t0004
Revises: t0003
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = 't0004'
down_revision = 't0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('station_profiles',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('opening_hours', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('head', sa.String(length=64), nullable=True),
    sa.Column('deputy_heads', sa.String(length=500), nullable=True),
    sa.Column('staff', sa.String(length=500), nullable=True),
    sa.Column('intro', sa.String(length=2000), nullable=True),
    sa.Column('latitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('longitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_station_profiles_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station_profiles'))
    )


def downgrade() -> None:
    op.drop_table('station_profiles')
