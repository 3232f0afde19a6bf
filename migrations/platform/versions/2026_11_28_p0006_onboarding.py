"""Platform schema: onboarding — templates stored in the platform (versioned bundles), the
pool of spare town schemas, and invitation codes.

Revision ID: p0006
Revises: p0005
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'p0006'
down_revision = 'p0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('town_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=96), nullable=False),
    sa.Column('name_en', sa.String(length=128), nullable=True),
    sa.Column('bundle', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('source', sa.Enum('town', 'committee', 'imported', name='template_source', native_enum=False, length=16), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=True),
    sa.Column('committee_id', sa.Integer(), nullable=True),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("key ~ '^[a-z][a-z0-9_]{1,39}$'", name=op.f('ck_town_templates_key_format')),
    sa.ForeignKeyConstraint(['committee_id'], ['platform.committees.id'], name=op.f('fk_town_templates_committee_id_committees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['platform.users.id'], name=op.f('fk_town_templates_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['town_id'], ['platform.towns.id'], name=op.f('fk_town_templates_town_id_towns'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_town_templates')),
    sa.UniqueConstraint('key', 'version', name=op.f('uq_town_templates_key_version')),
    schema='platform'
    )
    op.create_index(op.f('ix_town_templates_committee_id'), 'town_templates', ['committee_id'], unique=False, schema='platform')
    op.create_index(op.f('ix_town_templates_key'), 'town_templates', ['key'], unique=False, schema='platform')
    op.create_table('spare_schemas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schema_name', sa.String(length=63), nullable=False),
    sa.Column('role_name', sa.String(length=63), nullable=False),
    sa.Column('revision', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spare_schemas')),
    sa.UniqueConstraint('role_name', name=op.f('uq_spare_schemas_role_name')),
    sa.UniqueConstraint('schema_name', name=op.f('uq_spare_schemas_schema_name')),
    schema='platform'
    )
    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('town_name', sa.String(length=64), nullable=True),
    sa.Column('template_key', sa.String(length=40), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('town_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['platform.committees.id'], name=op.f('fk_invitations_committee_id_committees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['platform.users.id'], name=op.f('fk_invitations_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['region_id'], ['platform.regions.id'], name=op.f('fk_invitations_region_id_regions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['town_id'], ['platform.towns.id'], name=op.f('fk_invitations_town_id_towns'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('code', name=op.f('uq_invitations_code')),
    schema='platform'
    )
    op.create_index(op.f('ix_invitations_committee_id'), 'invitations', ['committee_id'], unique=False, schema='platform')


def downgrade() -> None:
    op.drop_index(op.f('ix_invitations_committee_id'), table_name='invitations', schema='platform')
    op.drop_table('invitations', schema='platform')
    op.drop_table('spare_schemas', schema='platform')
    op.drop_index(op.f('ix_town_templates_key'), table_name='town_templates', schema='platform')
    op.drop_index(op.f('ix_town_templates_committee_id'), table_name='town_templates', schema='platform')
    op.drop_table('town_templates', schema='platform')
