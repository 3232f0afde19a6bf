"""Platform schema: once-only tokens on supervision notices and their steps, so a double
submission (a second click, an API retry) issues or answers once.

Revision ID: p0004
Revises: p0003
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = 'p0004'
down_revision = 'p0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('supervision_notices', sa.Column('nonce', sa.String(length=64), nullable=True), schema='platform')
    op.create_unique_constraint(op.f('uq_supervision_notices_committee_id_nonce'), 'supervision_notices',
                                ['committee_id', 'nonce'], schema='platform')
    op.add_column('supervision_notice_events', sa.Column('nonce', sa.String(length=64), nullable=True),
                  schema='platform')
    op.create_unique_constraint(op.f('uq_supervision_notice_events_notice_id_nonce'), 'supervision_notice_events',
                                ['notice_id', 'nonce'], schema='platform')


def downgrade() -> None:
    op.drop_constraint(op.f('uq_supervision_notice_events_notice_id_nonce'), 'supervision_notice_events',
                       schema='platform', type_='unique')
    op.drop_column('supervision_notice_events', 'nonce', schema='platform')
    op.drop_constraint(op.f('uq_supervision_notices_committee_id_nonce'), 'supervision_notices', schema='platform',
                       type_='unique')
    op.drop_column('supervision_notices', 'nonce', schema='platform')
