"""Town schema: opinions and suggestions, their history, urges and photos; opinion categories
with working-day deadlines; the responsible units. A town created before this revision gets
a default set of categories (a town created from a template gets the template's).

Revision ID: t0012
Revises: t0011
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 't0012'
down_revision = 't0011'
branch_labels = None
depends_on = None

DEFAULT_CATEGORIES = [
    ("roads", "道路交通", "Roads and transport", 15, 3),
    ("environment", "环境卫生", "Environment and sanitation", 10, 2),
    ("utilities", "水电气暖", "Water, power, gas and heating", 5, 1),
    ("social_security", "社会保障", "Social security", 15, 3),
    ("disputes", "矛盾纠纷", "Disputes and mediation", 10, 2),
    ("other", "其他", "Other", 15, 3),
]


def upgrade() -> None:
    op.create_table('opinion_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('name_en', sa.String(length=96), nullable=True),
    sa.Column('deadline_days', sa.Integer(), nullable=False),
    sa.Column('warning_days', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('deadline_days > 0 AND warning_days >= 0', name=op.f('ck_opinion_categories_deadline_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_categories')),
    sa.UniqueConstraint('code', name=op.f('uq_opinion_categories_code'))
    )
    op.create_table('responsible_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('department', 'village', 'company', 'other', name='unit_kind', native_enum=False, length=16), nullable=False),
    sa.Column('contact_name', sa.String(length=32), nullable=True),
    sa.Column('contact_phone', sa.String(length=20), nullable=True),
    sa.Column('notes', sa.String(length=500), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responsible_units')),
    sa.UniqueConstraint('name', name=op.f('uq_responsible_units_name'))
    )
    op.create_table('opinions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('opinion', 'suggestion', name='opinion_kind', native_enum=False, length=16), nullable=False),
    sa.Column('channel', sa.Enum('reception_day', 'visit', 'grid', 'hotline', 'web_form', 'forum', 'staff', 'deputy', name='opinion_channel', native_enum=False, length=16), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('constituent_name', sa.String(length=32), nullable=True),
    sa.Column('constituent_phone', sa.String(length=20), nullable=True),
    sa.Column('village', sa.String(length=64), nullable=True),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('deputy_id', sa.Integer(), nullable=True),
    sa.Column('reception_day_id', sa.Integer(), nullable=True),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('hotline_case_no', sa.String(length=40), nullable=True),
    sa.Column('receipt_code', sa.String(length=12), nullable=True),
    sa.Column('congress_level', sa.Enum('town', 'county', 'prefecture', 'province', 'national', name='congress_level', native_enum=False, length=16), nullable=True),
    sa.Column('state', sa.Enum('collected', 'accepted', 'merged', 'out_of_scope', 'assigned', 'in_progress', 'answered', 'feedback_given', 'closed', 'reopened', name='opinion_state', native_enum=False, length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('assigned_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('warn_on', sa.Date(), nullable=True),
    sa.Column('extension_days_requested', sa.Integer(), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('feedback_on', sa.Date(), nullable=True),
    sa.Column('feedback_by', sa.String(length=32), nullable=True),
    sa.Column('feedback_how', sa.String(length=16), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('satisfaction', sa.Enum('satisfied', 'basically', 'not_satisfied', name='satisfaction', native_enum=False, length=16), nullable=True),
    sa.Column('rated_by', sa.String(length=16), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_opinions_activity_id_activities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['category_id'], ['opinion_categories.id'], name=op.f('fk_opinions_category_id_opinion_categories'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_opinions_deputy_id_deputies'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['grid_id'], ['grids.id'], name=op.f('fk_opinions_grid_id_grids'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['opinions.id'], name=op.f('fk_opinions_merged_into_id_opinions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reception_day_id'], ['reception_days.id'], name=op.f('fk_opinions_reception_day_id_reception_days'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['responsible_units.id'], name=op.f('fk_opinions_unit_id_responsible_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinions')),
    sa.UniqueConstraint('hotline_case_no', name=op.f('uq_opinions_hotline_case_no')),
    sa.UniqueConstraint('receipt_code', name=op.f('uq_opinions_receipt_code'))
    )
    op.create_index(op.f('ix_opinions_activity_id'), 'opinions', ['activity_id'], unique=False)
    op.create_index(op.f('ix_opinions_category_id'), 'opinions', ['category_id'], unique=False)
    op.create_index(op.f('ix_opinions_channel'), 'opinions', ['channel'], unique=False)
    op.create_index(op.f('ix_opinions_deputy_id'), 'opinions', ['deputy_id'], unique=False)
    op.create_index(op.f('ix_opinions_grid_id'), 'opinions', ['grid_id'], unique=False)
    op.create_index('ix_opinions_kind_received_on', 'opinions', ['kind', 'received_on'], unique=False)
    op.create_index(op.f('ix_opinions_reception_day_id'), 'opinions', ['reception_day_id'], unique=False)
    op.create_index('ix_opinions_state_due_on', 'opinions', ['state', 'due_on'], unique=False)
    op.create_index(op.f('ix_opinions_unit_id'), 'opinions', ['unit_id'], unique=False)
    op.create_table('opinion_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opinion_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['opinion_id'], ['opinions.id'], name=op.f('fk_opinion_events_opinion_id_opinions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_events')),
    sa.UniqueConstraint('opinion_id', 'nonce', name=op.f('uq_opinion_events_opinion_id_nonce'))
    )
    op.create_index(op.f('ix_opinion_events_opinion_id'), 'opinion_events', ['opinion_id'], unique=False)
    op.create_table('opinion_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opinion_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('mimetype', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['opinion_id'], ['opinions.id'], name=op.f('fk_opinion_files_opinion_id_opinions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_files'))
    )
    op.create_index(op.f('ix_opinion_files_opinion_id'), 'opinion_files', ['opinion_id'], unique=False)
    op.create_table('opinion_urges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opinion_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('notified', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['opinion_id'], ['opinions.id'], name=op.f('fk_opinion_urges_opinion_id_opinions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['responsible_units.id'], name=op.f('fk_opinion_urges_unit_id_responsible_units'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_urges')),
    sa.UniqueConstraint('opinion_id', 'day', name=op.f('uq_opinion_urges_opinion_id_day'))
    )
    op.create_index(op.f('ix_opinion_urges_opinion_id'), 'opinion_urges', ['opinion_id'], unique=False)
    op.create_table('suggestion_seconders',
    sa.Column('opinion_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_suggestion_seconders_deputy_id_deputies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opinion_id'], ['opinions.id'], name=op.f('fk_suggestion_seconders_opinion_id_opinions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('opinion_id', 'deputy_id', name=op.f('pk_suggestion_seconders'))
    )
    op.create_index(op.f('ix_suggestion_seconders_deputy_id'), 'suggestion_seconders', ['deputy_id'], unique=False)

    categories = sa.table('opinion_categories', sa.column('code', sa.String), sa.column('name', sa.String),
                          sa.column('name_en', sa.String), sa.column('deadline_days', sa.Integer),
                          sa.column('warning_days', sa.Integer), sa.column('position', sa.Integer),
                          sa.column('active', sa.Boolean))
    op.bulk_insert(categories, [
        {"code": c, "name": n, "name_en": e, "deadline_days": d, "warning_days": w, "position": i, "active": True}
        for i, (c, n, e, d, w) in enumerate(DEFAULT_CATEGORIES)])


def downgrade() -> None:
    op.drop_table('suggestion_seconders')
    op.drop_table('opinion_urges')
    op.drop_table('opinion_files')
    op.drop_table('opinion_events')
    op.drop_table('opinions')
    op.drop_table('responsible_units')
    op.drop_table('opinion_categories')
