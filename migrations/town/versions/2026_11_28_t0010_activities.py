"""Town schema: activities, their invitees and attendance, their photos and files.

Revision ID: t0010
Revises: t0009
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = 't0010'
down_revision = 't0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_unique_constraint(op.f('uq_deputies_user_id'), 'deputies', ['user_id'])
    op.create_table('activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=200), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('organiser', sa.String(length=64), nullable=True),
    sa.Column('minutes', sa.Text(), nullable=True),
    sa.Column('outcomes', sa.String(length=2000), nullable=True),
    sa.Column('opinions_raised', sa.Integer(), nullable=True),
    sa.Column('problems_solved', sa.Integer(), nullable=True),
    sa.Column('checkin_token', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['type_id'], ['activity_types.id'], name=op.f('fk_activities_type_id_activity_types'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities')),
    sa.UniqueConstraint('checkin_token', name=op.f('uq_activities_checkin_token'))
    )
    op.create_index(op.f('ix_activities_day'), 'activities', ['day'], unique=False)
    op.create_index(op.f('ix_activities_type_id'), 'activities', ['type_id'], unique=False)
    op.create_table('activity_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('mimetype', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_files_activity_id_activities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_files'))
    )
    op.create_index(op.f('ix_activity_files_activity_id'), 'activity_files', ['activity_id'], unique=False)
    op.create_table('activity_invitees',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.Column('invited', sa.Boolean(), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked_in_by', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_invitees_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_activity_invitees_deputy_id_deputies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', 'deputy_id', name=op.f('pk_activity_invitees'))
    )
    op.create_index(op.f('ix_activity_invitees_deputy_id'), 'activity_invitees', ['deputy_id'], unique=False)


def downgrade() -> None:
    op.drop_constraint(op.f('uq_deputies_user_id'), 'deputies', type_='unique')
    op.drop_index(op.f('ix_activity_invitees_deputy_id'), table_name='activity_invitees')
    op.drop_table('activity_invitees')
    op.drop_index(op.f('ix_activity_files_activity_id'), table_name='activity_files')
    op.drop_table('activity_files')
    op.drop_index(op.f('ix_activities_type_id'), table_name='activities')
    op.drop_index(op.f('ix_activities_day'), table_name='activities')
    op.drop_table('activities')
