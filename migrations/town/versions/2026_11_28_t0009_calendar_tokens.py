"""Town schema: the secret of each deputy's calendar feed.

Revision ID: t0009
Revises: t0008
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = 't0009'
down_revision = 't0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('deputies', sa.Column('calendar_token', sa.String(length=40), nullable=True))
    op.create_unique_constraint(op.f('uq_deputies_calendar_token'), 'deputies', ['calendar_token'])


def downgrade() -> None:
    op.drop_constraint(op.f('uq_deputies_calendar_token'), 'deputies', type_='unique')
    op.drop_column('deputies', 'calendar_token')
