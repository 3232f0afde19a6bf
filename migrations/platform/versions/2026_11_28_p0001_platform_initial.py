"""Platform schema: regions, towns, users, memberships, committees, API tokens, audit log.

Revision ID: p0001
Revises: 
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'p0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('regions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.Enum('province', 'prefecture', 'county', 'town', name='region_level', native_enum=False, length=16), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('name_en', sa.String(length=96), nullable=True),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("path ~ '^/([0-9]+/)+$'", name=op.f('ck_regions_path_format')),
    sa.ForeignKeyConstraint(['parent_id'], ['platform.regions.id'], name=op.f('fk_regions_parent_id_regions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regions')),
    sa.UniqueConstraint('code', name=op.f('uq_regions_code')),
    sa.UniqueConstraint('parent_id', 'name', name=op.f('uq_regions_parent_id_name')),
    schema='platform'
    )
    op.create_index(op.f('ix_regions_parent_id'), 'regions', ['parent_id'], unique=False, schema='platform')
    op.create_index('ix_regions_path_prefix', 'regions', ['path'], unique=False, schema='platform', postgresql_ops={'path': 'text_pattern_ops'})
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('display_name', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('session_token', sa.String(length=32), nullable=False),
    sa.Column('is_operator', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('phone', name=op.f('uq_users_phone')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username')),
    schema='platform'
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['platform.users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash')),
    schema='platform'
    )
    op.create_index(op.f('ix_api_tokens_user_id'), 'api_tokens', ['user_id'], unique=False, schema='platform')
    op.create_table('committees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=96), nullable=False),
    sa.Column('name_en', sa.String(length=128), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['platform.regions.id'], name=op.f('fk_committees_region_id_regions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committees')),
    sa.UniqueConstraint('slug', name=op.f('uq_committees_slug')),
    schema='platform'
    )
    op.create_index(op.f('ix_committees_region_id'), 'committees', ['region_id'], unique=False, schema='platform')
    op.create_table('towns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('name_en', sa.String(length=96), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('schema_name', sa.String(length=63), nullable=False),
    sa.Column('role_name', sa.String(length=63), nullable=False),
    sa.Column('status', sa.Enum('active', 'suspended', 'archived', name='town_status', native_enum=False, length=16), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('timezone', sa.String(length=40), nullable=False),
    sa.Column('template', sa.String(length=40), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('settings', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('schema_revision', sa.String(length=32), nullable=True),
    sa.Column('schema_checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('migration_error', sa.String(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("slug ~ '^[a-z][a-z0-9_]{1,39}$'", name=op.f('ck_towns_slug_format')),
    sa.ForeignKeyConstraint(['region_id'], ['platform.regions.id'], name=op.f('fk_towns_region_id_regions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_towns')),
    sa.UniqueConstraint('region_id', name=op.f('uq_towns_region_id')),
    sa.UniqueConstraint('role_name', name=op.f('uq_towns_role_name')),
    sa.UniqueConstraint('schema_name', name=op.f('uq_towns_schema_name')),
    sa.UniqueConstraint('slug', name=op.f('uq_towns_slug')),
    schema='platform'
    )
    op.create_table('committee_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('member', name='committee_role', native_enum=False, length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['platform.committees.id'], name=op.f('fk_committee_memberships_committee_id_committees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['platform.users.id'], name=op.f('fk_committee_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_memberships')),
    sa.UniqueConstraint('user_id', 'committee_id', 'role', name=op.f('uq_committee_memberships_user_id_committee_id_role')),
    schema='platform'
    )
    op.create_index(op.f('ix_committee_memberships_committee_id'), 'committee_memberships', ['committee_id'], unique=False, schema='platform')
    op.create_index(op.f('ix_committee_memberships_user_id'), 'committee_memberships', ['user_id'], unique=False, schema='platform')
    op.create_table('platform_audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=True),
    sa.Column('committee_id', sa.Integer(), nullable=True),
    sa.Column('target', sa.String(length=128), nullable=True),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['platform.users.id'], name=op.f('fk_platform_audit_entries_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['committee_id'], ['platform.committees.id'], name=op.f('fk_platform_audit_entries_committee_id_committees'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['town_id'], ['platform.towns.id'], name=op.f('fk_platform_audit_entries_town_id_towns'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_audit_entries')),
    schema='platform'
    )
    op.create_index(op.f('ix_platform_audit_entries_action'), 'platform_audit_entries', ['action'], unique=False, schema='platform')
    op.create_index(op.f('ix_platform_audit_entries_at'), 'platform_audit_entries', ['at'], unique=False, schema='platform')
    op.create_index(op.f('ix_platform_audit_entries_town_id'), 'platform_audit_entries', ['town_id'], unique=False, schema='platform')
    op.create_table('town_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('station_admin', 'staff', 'deputy', 'presidium', name='town_role', native_enum=False, length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['town_id'], ['platform.towns.id'], name=op.f('fk_town_memberships_town_id_towns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['platform.users.id'], name=op.f('fk_town_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_town_memberships')),
    sa.UniqueConstraint('user_id', 'town_id', 'role', name=op.f('uq_town_memberships_user_id_town_id_role')),
    schema='platform'
    )
    op.create_index(op.f('ix_town_memberships_town_id'), 'town_memberships', ['town_id'], unique=False, schema='platform')
    op.create_index(op.f('ix_town_memberships_user_id'), 'town_memberships', ['user_id'], unique=False, schema='platform')


def downgrade() -> None:
    op.drop_index(op.f('ix_town_memberships_user_id'), table_name='town_memberships', schema='platform')
    op.drop_index(op.f('ix_town_memberships_town_id'), table_name='town_memberships', schema='platform')
    op.drop_table('town_memberships', schema='platform')
    op.drop_index(op.f('ix_platform_audit_entries_town_id'), table_name='platform_audit_entries', schema='platform')
    op.drop_index(op.f('ix_platform_audit_entries_at'), table_name='platform_audit_entries', schema='platform')
    op.drop_index(op.f('ix_platform_audit_entries_action'), table_name='platform_audit_entries', schema='platform')
    op.drop_table('platform_audit_entries', schema='platform')
    op.drop_index(op.f('ix_committee_memberships_user_id'), table_name='committee_memberships', schema='platform')
    op.drop_index(op.f('ix_committee_memberships_committee_id'), table_name='committee_memberships', schema='platform')
    op.drop_table('committee_memberships', schema='platform')
    op.drop_table('towns', schema='platform')
    op.drop_index(op.f('ix_committees_region_id'), table_name='committees', schema='platform')
    op.drop_table('committees', schema='platform')
    op.drop_index(op.f('ix_api_tokens_user_id'), table_name='api_tokens', schema='platform')
    op.drop_table('api_tokens', schema='platform')
    op.drop_table('users', schema='platform')
    op.drop_index('ix_regions_path_prefix', table_name='regions', schema='platform', postgresql_ops={'path': 'text_pattern_ops'})
    op.drop_index(op.f('ix_regions_parent_id'), table_name='regions', schema='platform')
    op.drop_table('regions', schema='platform')
