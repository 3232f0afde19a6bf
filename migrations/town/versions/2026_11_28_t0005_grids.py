"""Town schema: grids, their heads, and the deputies assigned to them.

Revision ID: t0005
Revises: t0004
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = 't0005'
down_revision = 't0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('grids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('residential', 'shop', name='grid_kind', native_enum=False, length=16), nullable=False),
    sa.Column('community', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grids')),
    sa.UniqueConstraint('community', 'name', name=op.f('uq_grids_community_name'))
    )
    op.create_index(op.f('ix_grids_community'), 'grids', ['community'], unique=False)
    op.create_table('grid_deputies',
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_grid_deputies_deputy_id_deputies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grid_id'], ['grids.id'], name=op.f('fk_grid_deputies_grid_id_grids'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('grid_id', 'deputy_id', name=op.f('pk_grid_deputies'))
    )
    op.create_index(op.f('ix_grid_deputies_deputy_id'), 'grid_deputies', ['deputy_id'], unique=False)
    op.create_table('grid_heads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['grid_id'], ['grids.id'], name=op.f('fk_grid_heads_grid_id_grids'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grid_heads'))
    )
    op.create_index(op.f('ix_grid_heads_grid_id'), 'grid_heads', ['grid_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_grid_heads_grid_id'), table_name='grid_heads')
    op.drop_table('grid_heads')
    op.drop_index(op.f('ix_grid_deputies_deputy_id'), table_name='grid_deputies')
    op.drop_table('grid_deputies')
    op.drop_index(op.f('ix_grids_community'), table_name='grids')
    op.drop_table('grids')
