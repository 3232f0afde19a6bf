"""Town schema: notices, answers and attendance on the rota; the day's record.

Revision ID: t0008
Revises: t0007
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = 't0008'
down_revision = 't0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('rota_entries', sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('rota_entries', sa.Column('notified_by', sa.String(length=64), nullable=True))
    op.add_column('rota_entries', sa.Column('response', sa.Enum('confirmed', 'declined', name='rota_response',
                                                                native_enum=False, length=16), nullable=True))
    op.add_column('rota_entries', sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('rota_entries', sa.Column('attended', sa.Boolean(), nullable=True))
    op.add_column('reception_days', sa.Column('held', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('reception_days', sa.Column('constituents_received', sa.Integer(), nullable=True))
    op.add_column('reception_days', sa.Column('notes', sa.String(length=2000), nullable=True))


def downgrade() -> None:
    for column in ('notes', 'constituents_received', 'held'):
        op.drop_column('reception_days', column)
    for column in ('attended', 'responded_at', 'response', 'notified_by', 'notified_at'):
        op.drop_column('rota_entries', column)
