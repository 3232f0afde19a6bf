"""Platform schema: the quarterly rollups, one row per town and quarter.

Revision ID: p0002
Revises: p0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'p0002'
down_revision = 'p0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rollups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('figures', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('frozen', sa.Boolean(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('quarter BETWEEN 1 AND 4', name=op.f('ck_rollups_quarter_range')),
    sa.ForeignKeyConstraint(['town_id'], ['platform.towns.id'], name=op.f('fk_rollups_town_id_towns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollups')),
    sa.UniqueConstraint('town_id', 'year', 'quarter', name=op.f('uq_rollups_town_id_year_quarter')),
    schema='platform'
    )
    op.create_index(op.f('ix_rollups_town_id'), 'rollups', ['town_id'], unique=False, schema='platform')


def downgrade() -> None:
    op.drop_table('rollups', schema='platform')
