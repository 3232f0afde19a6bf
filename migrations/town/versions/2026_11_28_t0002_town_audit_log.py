"""Town schema: the town's own audit log.

Revision ID: t0002
Revises: t0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 't0002'
down_revision = 't0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('town_audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=128), nullable=True),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_town_audit_entries'))
    )
    op.create_index(op.f('ix_town_audit_entries_at'), 'town_audit_entries', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_town_audit_entries_at'), table_name='town_audit_entries')
    op.drop_table('town_audit_entries')
