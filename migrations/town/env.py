"""Alembic environment for the town schema (used by the alembic CLI to write revisions
against one town, `-x town=<slug>`; `liaison db upgrade` drives the same scripts through
tenants.migrate, one transaction per town, with search_path and role set to the town).

Town revisions name tables without a schema: they run with the town's search_path."""

import os

from alembic import context
from sqlalchemy import create_engine, text

import webapp.models  # noqa: F401
from tenants.base import TownModel
from tenants.binding import TownBinding, start_town_transaction
from tenants.schema import TOWN_VERSION_TABLE

config = context.config
target_metadata = TownModel.metadata


def run_migrations_online() -> None:
    slug = context.get_x_argument(as_dictionary=True).get("town")
    if not slug:
        raise SystemExit("pass -x town=<slug> (the town schema to compare against or upgrade)")
    engine = create_engine(os.environ["DATABASE_URL"], connect_args={"options": "-c search_path=platform"})
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT id, slug, schema_name, role_name FROM platform.towns WHERE slug = :s"), {"s": slug}
        ).one()
        binding = TownBinding(*row)
        with connection.begin():
            start_town_transaction(connection, binding)
            connection.dialect.default_schema_name = binding.schema  # so autogenerate reflects the town
            context.configure(connection=connection, target_metadata=target_metadata,
                              version_table=TOWN_VERSION_TABLE)
            context.run_migrations()


run_migrations_online()
