"""Town schema: reception days and the rota of deputies on duty.

Revision ID: t0007
Revises: t0006
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = 't0007'
down_revision = 't0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reception_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('starts', sa.String(length=5), nullable=True),
    sa.Column('ends', sa.String(length=5), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reception_days')),
    sa.UniqueConstraint('day', name=op.f('uq_reception_days_day'))
    )
    op.create_table('rota_entries',
    sa.Column('reception_day_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_rota_entries_deputy_id_deputies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reception_day_id'], ['reception_days.id'], name=op.f('fk_rota_entries_reception_day_id_reception_days'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('reception_day_id', 'deputy_id', name=op.f('pk_rota_entries'))
    )
    op.create_index(op.f('ix_rota_entries_deputy_id'), 'rota_entries', ['deputy_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_rota_entries_deputy_id'), table_name='rota_entries')
    op.drop_table('rota_entries')
    op.drop_table('reception_days')
