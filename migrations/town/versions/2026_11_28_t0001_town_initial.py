"""Town schema: the station's configuration (supervision groups, activity types and cadence,
evaluation template) and in-app notifications.

Revision ID: t0001
Revises: 
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 't0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('activity_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('name_en', sa.String(length=96), nullable=True),
    sa.Column('cadence', sa.Enum('weekly', 'monthly', 'quarterly', 'half_yearly', 'yearly', 'as_needed', name='cadence', native_enum=False, length=16), nullable=False),
    sa.Column('expected_per_period', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_types')),
    sa.UniqueConstraint('code', name=op.f('uq_activity_types_code'))
    )
    op.create_table('evaluation_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=96), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('grades', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('outstanding_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_templates')),
    sa.UniqueConstraint('name', 'version', name=op.f('uq_evaluation_templates_name_version'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('dedupe_key', sa.String(length=128), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.String(length=2000), nullable=False),
    sa.Column('link', sa.String(length=255), nullable=True),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notifications_dedupe_key'))
    )
    op.create_index(op.f('ix_notifications_user_id'), 'notifications', ['user_id'], unique=False)
    op.create_table('supervision_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('name_en', sa.String(length=96), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('leader_deputy_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_groups')),
    sa.UniqueConstraint('code', name=op.f('uq_supervision_groups_code'))
    )
    op.create_table('evaluation_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=96), nullable=False),
    sa.Column('name_en', sa.String(length=128), nullable=True),
    sa.Column('source', sa.Enum('computed', 'entered', name='indicator_source', native_enum=False, length=16), nullable=False),
    sa.Column('base_points', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('points_per_extra', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('cap', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('weight', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['evaluation_templates.id'], name=op.f('fk_evaluation_indicators_template_id_evaluation_templates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_indicators')),
    sa.UniqueConstraint('template_id', 'code', name=op.f('uq_evaluation_indicators_template_id_code'))
    )
    op.create_index(op.f('ix_evaluation_indicators_template_id'), 'evaluation_indicators', ['template_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_evaluation_indicators_template_id'), table_name='evaluation_indicators')
    op.drop_table('evaluation_indicators')
    op.drop_table('supervision_groups')
    op.drop_index(op.f('ix_notifications_user_id'), table_name='notifications')
    op.drop_table('notifications')
    op.drop_table('evaluation_templates')
    op.drop_table('activity_types')
