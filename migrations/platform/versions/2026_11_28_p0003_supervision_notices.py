"""Platform schema: one-to-one supervision notices (督办) from committees to towns, and their history.

Revision ID: p0003
Revises: p0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = 'p0003'
down_revision = 'p0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('supervision_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('state', sa.Enum('issued', 'answered', 'accepted', 'returned', name='notice_state', native_enum=False, length=16), nullable=False),
    sa.Column('issued_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['platform.committees.id'], name=op.f('fk_supervision_notices_committee_id_committees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['town_id'], ['platform.towns.id'], name=op.f('fk_supervision_notices_town_id_towns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_notices')),
    schema='platform'
    )
    op.create_index(op.f('ix_supervision_notices_committee_id'), 'supervision_notices', ['committee_id'], unique=False, schema='platform')
    op.create_index(op.f('ix_supervision_notices_town_id'), 'supervision_notices', ['town_id'], unique=False, schema='platform')
    op.create_table('supervision_notice_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('actor_name', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('mimetype', sa.String(length=100), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['platform.supervision_notices.id'], name=op.f('fk_supervision_notice_events_notice_id_supervision_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_notice_events')),
    schema='platform'
    )
    op.create_index(op.f('ix_supervision_notice_events_notice_id'), 'supervision_notice_events', ['notice_id'], unique=False, schema='platform')


def downgrade() -> None:
    op.drop_table('supervision_notice_events', schema='platform')
    op.drop_table('supervision_notices', schema='platform')
