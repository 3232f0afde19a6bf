"""Town schema: evaluation years (a frozen template each), scores with their explanation,
objections and the closed years' results; a template's maximum total.

Revision ID: t0014
Revises: t0013
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 't0014'
down_revision = 't0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('evaluation_templates', sa.Column('max_total', sa.Numeric(precision=7, scale=2),
                                                    server_default='100', nullable=False))
    op.create_table('evaluation_years',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('snapshot', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('state', sa.Enum('open', 'closed', name='evaluation_year_state', native_enum=False, length=16), nullable=False),
    sa.Column('objections_until', sa.Date(), nullable=True),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['evaluation_templates.id'], name=op.f('fk_evaluation_years_template_id_evaluation_templates'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_years')),
    sa.UniqueConstraint('year', name=op.f('uq_evaluation_years_year'))
    )
    op.create_table('evaluation_objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('open', 'accepted', 'rejected', name='objection_state', native_enum=False, length=16), nullable=False),
    sa.Column('points_after', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_evaluation_objections_deputy_id_deputies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['year_id'], ['evaluation_years.id'], name=op.f('fk_evaluation_objections_year_id_evaluation_years'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_objections'))
    )
    op.create_index(op.f('ix_evaluation_objections_deputy_id'), 'evaluation_objections', ['deputy_id'], unique=False)
    op.create_index(op.f('ix_evaluation_objections_year_id'), 'evaluation_objections', ['year_id'], unique=False)
    op.create_table('evaluation_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.Column('total', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=24), nullable=False),
    sa.Column('outstanding', sa.Boolean(), nullable=False),
    sa.Column('renominate', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_evaluation_results_deputy_id_deputies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['year_id'], ['evaluation_years.id'], name=op.f('fk_evaluation_results_year_id_evaluation_years'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_results')),
    sa.UniqueConstraint('year_id', 'deputy_id', name=op.f('uq_evaluation_results_year_id_deputy_id'))
    )
    op.create_index(op.f('ix_evaluation_results_deputy_id'), 'evaluation_results', ['deputy_id'], unique=False)
    op.create_index(op.f('ix_evaluation_results_year_id'), 'evaluation_results', ['year_id'], unique=False)
    op.create_table('evaluation_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=40), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('points', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('override', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('explanation', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_evaluation_scores_deputy_id_deputies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['year_id'], ['evaluation_years.id'], name=op.f('fk_evaluation_scores_year_id_evaluation_years'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_scores')),
    sa.UniqueConstraint('year_id', 'deputy_id', 'indicator', name=op.f('uq_evaluation_scores_year_id_deputy_id_indicator'))
    )
    op.create_index(op.f('ix_evaluation_scores_deputy_id'), 'evaluation_scores', ['deputy_id'], unique=False)
    op.create_index(op.f('ix_evaluation_scores_year_id'), 'evaluation_scores', ['year_id'], unique=False)


def downgrade() -> None:
    op.drop_table('evaluation_scores')
    op.drop_table('evaluation_results')
    op.drop_table('evaluation_objections')
    op.drop_table('evaluation_years')
    op.drop_column('evaluation_templates', 'max_total')
