"""Town schema: key projects and the five ones: group members, projects and milestones, the
supervision records (briefings, inspections, half-year reports, annual reviews) with their
attendees, projects and files, the findings' rectification ledger, the annual vote (reviews,
ballots) and next year's candidates.

Revision ID: t0013
Revises: t0012
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 't0013'
down_revision = 't0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.Enum('key', 'livelihood', name='project_kind', native_enum=False, length=16), nullable=False),
    sa.Column('continues_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('budget', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('phase', sa.Enum('initiation', 'feasibility', 'started', 'construction', 'delivered', 'review', name='project_phase', native_enum=False, length=16), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('progress BETWEEN 0 AND 100', name=op.f('ck_projects_progress_percent')),
    sa.ForeignKeyConstraint(['continues_id'], ['projects.id'], name=op.f('fk_projects_continues_id_projects'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['supervision_groups.id'], name=op.f('fk_projects_group_id_supervision_groups'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_id'], ['responsible_units.id'], name=op.f('fk_projects_unit_id_responsible_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    sa.UniqueConstraint('continues_id', name=op.f('uq_projects_continues_id')),
    sa.UniqueConstraint('year', 'name', name=op.f('uq_projects_year_name'))
    )
    op.create_index(op.f('ix_projects_group_id'), 'projects', ['group_id'], unique=False)
    op.create_index(op.f('ix_projects_unit_id'), 'projects', ['unit_id'], unique=False)
    op.create_index(op.f('ix_projects_year'), 'projects', ['year'], unique=False)
    op.create_table('supervision_group_members',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_supervision_group_members_deputy_id_deputies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['supervision_groups.id'], name=op.f('fk_supervision_group_members_group_id_supervision_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'deputy_id', name=op.f('pk_supervision_group_members'))
    )
    op.create_index(op.f('ix_supervision_group_members_deputy_id'), 'supervision_group_members', ['deputy_id'], unique=False)
    op.create_table('supervision_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('briefing', 'inspection', 'half_year_report', 'annual_review', name='record_kind', native_enum=False, length=24), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('issues_reported', sa.Text(), nullable=True),
    sa.Column('suggestions', sa.Text(), nullable=True),
    sa.Column('sent_to_presidium_on', sa.Date(), nullable=True),
    sa.Column('other_attendees', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['supervision_groups.id'], name=op.f('fk_supervision_records_group_id_supervision_groups'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_records'))
    )
    op.create_index(op.f('ix_supervision_records_day'), 'supervision_records', ['day'], unique=False)
    op.create_index(op.f('ix_supervision_records_group_id'), 'supervision_records', ['group_id'], unique=False)
    op.create_index(op.f('ix_supervision_records_kind'), 'supervision_records', ['kind'], unique=False)
    op.create_table('findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=1000), nullable=False),
    sa.Column('state', sa.Enum('found', 'assigned', 'rectified', 'verified', name='finding_state', native_enum=False, length=16), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('rectified_on', sa.Date(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('verified_on', sa.Date(), nullable=True),
    sa.Column('verified_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_findings_project_id_projects'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['record_id'], ['supervision_records.id'], name=op.f('fk_findings_record_id_supervision_records'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['responsible_units.id'], name=op.f('fk_findings_unit_id_responsible_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_findings'))
    )
    op.create_index(op.f('ix_findings_project_id'), 'findings', ['project_id'], unique=False)
    op.create_index(op.f('ix_findings_record_id'), 'findings', ['record_id'], unique=False)
    op.create_index(op.f('ix_findings_unit_id'), 'findings', ['unit_id'], unique=False)
    op.create_table('project_candidates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.String(length=1000), nullable=True),
    sa.Column('support', sa.Integer(), nullable=False),
    sa.Column('object', sa.Integer(), nullable=False),
    sa.Column('comments', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['supervision_records.id'], name=op.f('fk_project_candidates_record_id_supervision_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_candidates'))
    )
    op.create_index(op.f('ix_project_candidates_record_id'), 'project_candidates', ['record_id'], unique=False)
    op.create_table('project_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('phase', sa.Enum('initiation', 'feasibility', 'started', 'construction', 'delivered', 'review', name='project_phase', native_enum=False, length=16), nullable=True),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_milestones_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_milestones'))
    )
    op.create_index(op.f('ix_project_milestones_project_id'), 'project_milestones', ['project_id'], unique=False)
    op.create_table('project_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('present', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('tallies', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_reviews_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_id'], ['supervision_records.id'], name=op.f('fk_project_reviews_record_id_supervision_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_reviews')),
    sa.UniqueConstraint('record_id', 'project_id', name=op.f('uq_project_reviews_record_id_project_id'))
    )
    op.create_index(op.f('ix_project_reviews_project_id'), 'project_reviews', ['project_id'], unique=False)
    op.create_index(op.f('ix_project_reviews_record_id'), 'project_reviews', ['record_id'], unique=False)
    op.create_table('supervision_record_attendees',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_supervision_record_attendees_deputy_id_deputies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_id'], ['supervision_records.id'], name=op.f('fk_supervision_record_attendees_record_id_supervision_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', 'deputy_id', name=op.f('pk_supervision_record_attendees'))
    )
    op.create_index(op.f('ix_supervision_record_attendees_deputy_id'), 'supervision_record_attendees', ['deputy_id'], unique=False)
    op.create_table('supervision_record_projects',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_supervision_record_projects_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_id'], ['supervision_records.id'], name=op.f('fk_supervision_record_projects_record_id_supervision_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', 'project_id', name=op.f('pk_supervision_record_projects'))
    )
    op.create_index(op.f('ix_supervision_record_projects_project_id'), 'supervision_record_projects', ['project_id'], unique=False)
    op.create_table('ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=40), nullable=False),
    sa.Column('voter', sa.Enum('voters', 'deputies', name='voter_kind', native_enum=False, length=16), nullable=False),
    sa.Column('vote', sa.Enum('satisfied', 'basically', 'not_satisfied', name='vote_value', native_enum=False, length=16), nullable=True),
    sa.Column('cast_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['review_id'], ['project_reviews.id'], name=op.f('fk_ballots_review_id_project_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballots')),
    sa.UniqueConstraint('token', name=op.f('uq_ballots_token'))
    )
    op.create_index(op.f('ix_ballots_review_id'), 'ballots', ['review_id'], unique=False)
    op.create_table('finding_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('nonce', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_finding_events_finding_id_findings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_events')),
    sa.UniqueConstraint('finding_id', 'nonce', name=op.f('uq_finding_events_finding_id_nonce'))
    )
    op.create_index(op.f('ix_finding_events_finding_id'), 'finding_events', ['finding_id'], unique=False)
    op.create_table('supervision_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('mimetype', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('(record_id IS NULL) <> (finding_id IS NULL)', name=op.f('ck_supervision_files_one_owner')),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_supervision_files_finding_id_findings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_id'], ['supervision_records.id'], name=op.f('fk_supervision_files_record_id_supervision_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_files'))
    )
    op.create_index(op.f('ix_supervision_files_finding_id'), 'supervision_files', ['finding_id'], unique=False)
    op.create_index(op.f('ix_supervision_files_record_id'), 'supervision_files', ['record_id'], unique=False)


def downgrade() -> None:
    op.drop_table('supervision_files')
    op.drop_table('finding_events')
    op.drop_table('ballots')
    op.drop_table('supervision_record_projects')
    op.drop_table('supervision_record_attendees')
    op.drop_table('project_reviews')
    op.drop_table('project_milestones')
    op.drop_table('project_candidates')
    op.drop_table('findings')
    op.drop_table('supervision_records')
    op.drop_table('supervision_group_members')
    op.drop_table('projects')
