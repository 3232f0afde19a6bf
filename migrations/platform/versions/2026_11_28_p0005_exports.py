"""Platform schema: the export center's exports (issue #9), one row per file asked for.

Revision ID: p0005
Revises: p0004
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'p0005'
down_revision = 'p0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('params', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=True),
    sa.Column('committee_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', 'expired', name='export_state', native_enum=False, length=16), nullable=False),
    sa.Column('step', sa.String(length=200), nullable=True),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('path', sa.String(length=300), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('nonce', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('(town_id IS NULL) <> (committee_id IS NULL)', name=op.f('ck_exports_one_owner')),
    sa.ForeignKeyConstraint(['committee_id'], ['platform.committees.id'], name=op.f('fk_exports_committee_id_committees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by'], ['platform.users.id'], name=op.f('fk_exports_requested_by_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['town_id'], ['platform.towns.id'], name=op.f('fk_exports_town_id_towns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exports')),
    sa.UniqueConstraint('requested_by', 'nonce', name=op.f('uq_exports_requested_by_nonce')),
    schema='platform'
    )
    op.create_index(op.f('ix_exports_committee_id'), 'exports', ['committee_id'], unique=False, schema='platform')
    op.create_index(op.f('ix_exports_requested_by'), 'exports', ['requested_by'], unique=False, schema='platform')
    op.create_index('ix_exports_state_expires_at', 'exports', ['state', 'expires_at'], unique=False, schema='platform')
    op.create_index(op.f('ix_exports_town_id'), 'exports', ['town_id'], unique=False, schema='platform')


def downgrade() -> None:
    op.drop_table('exports', schema='platform')
