"""Town schema: areas and their lead-goose studios with member deputies; deputies' photos.

Revision ID: t0006
Revises: t0005
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = 't0006'
down_revision = 't0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('studios',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('area', sa.String(length=64), nullable=False),
    sa.Column('villages', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_studios')),
    sa.UniqueConstraint('name', name=op.f('uq_studios_name'))
    )
    op.create_table('deputy_photos',
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.Column('mimetype', sa.String(length=32), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_deputy_photos_deputy_id_deputies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('deputy_id', name=op.f('pk_deputy_photos'))
    )
    op.create_table('studio_members',
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_studio_members_deputy_id_deputies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['studio_id'], ['studios.id'], name=op.f('fk_studio_members_studio_id_studios'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('studio_id', 'deputy_id', name=op.f('pk_studio_members'))
    )
    op.create_index(op.f('ix_studio_members_deputy_id'), 'studio_members', ['deputy_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_studio_members_deputy_id'), table_name='studio_members')
    op.drop_table('studio_members')
    op.drop_table('deputy_photos')
    op.drop_table('studios')
