"""Town schema: trainees of study sessions and trainings; lecturing deputies.

Revision ID: t0011
Revises: t0010
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = 't0011'
down_revision = 't0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('activities', sa.Column('trainees', sa.Integer(), nullable=True))
    op.add_column('activity_invitees', sa.Column('lecturer', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    op.drop_column('activity_invitees', 'lecturer')
    op.drop_column('activities', 'trainees')
