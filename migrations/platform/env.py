"""Alembic environment for the platform schema (used by the alembic CLI to write revisions;
`liaison db upgrade` drives the same scripts through tenants.migrate)."""

import os

from alembic import context
from sqlalchemy import create_engine

import webapp.models  # noqa: F401
from tenants.base import PlatformModel

config = context.config
target_metadata = PlatformModel.metadata


def include_name(name, type_, parent_names):
    if type_ == "schema":
        return name == "platform"
    return True


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(os.environ["DATABASE_URL"])
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_schemas=True,
        include_name=include_name,
        version_table_schema="platform",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
