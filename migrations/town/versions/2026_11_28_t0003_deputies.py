"""Town schema: the roster of deputies.

Revision ID: t0003
Revises: t0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = 't0003'
down_revision = 't0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('deputies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('name_pinyin', sa.String(length=200), nullable=False),
    sa.Column('gender', sa.Enum('male', 'female', name='gender', native_enum=False, length=8), nullable=True),
    sa.Column('ethnicity', sa.String(length=16), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('party', sa.String(length=32), nullable=True),
    sa.Column('occupation', sa.String(length=64), nullable=True),
    sa.Column('sector', sa.String(length=32), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('phone_public', sa.Boolean(), nullable=False),
    sa.Column('constituency', sa.String(length=64), nullable=True),
    sa.Column('level', sa.Enum('town', 'county', 'prefecture', 'province', 'national', name='deputy_level', native_enum=False, length=16), nullable=False),
    sa.Column('term_start', sa.Date(), nullable=True),
    sa.Column('term_end', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('serving', 'left', name='deputy_status', native_enum=False, length=16), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100', name=op.f('ck_deputies_birth_year_range')),
    sa.CheckConstraint('term_end IS NULL OR term_start IS NULL OR term_end >= term_start', name=op.f('ck_deputies_term_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deputies'))
    )
    op.create_index(op.f('ix_deputies_constituency'), 'deputies', ['constituency'], unique=False)
    op.create_index(op.f('ix_deputies_name'), 'deputies', ['name'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_deputies_name'), table_name='deputies')
    op.drop_index(op.f('ix_deputies_constituency'), table_name='deputies')
    op.drop_table('deputies')
