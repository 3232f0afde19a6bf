"""The DDL of a town schema at head, generated from the town metadata (never by replaying
history), and the Alembic script directories of the two trees."""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

from .base import TownModel

#: the two Alembic trees; LIAISON_MIGRATIONS points elsewhere (an installed package, a benchmark)
MIGRATIONS = Path(os.environ.get("LIAISON_MIGRATIONS", Path(__file__).resolve().parent.parent / "migrations"))
#: each town schema stamps its revision in its own table (the platform tree uses alembic_version)
TOWN_VERSION_TABLE = "schema_version"
PLATFORM_VERSION_TABLE = "alembic_version"


def _load_models() -> None:
    import webapp.models  # noqa: F401  (fills both metadata objects)


def version_table(name: str) -> Table:
    """The table Alembic itself creates for its version (same columns, same constraint name)."""
    return Table(
        name,
        MetaData(),
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name=f"{name}_pkc"),
    )


@functools.cache
def town_ddl() -> str:
    """CREATE statements for every town table, unqualified: they land in the search_path schema."""
    _load_models()
    dialect = postgresql.psycopg.dialect()
    statements: list[str] = []
    for table in TownModel.metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)).strip())
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            statements.append(str(CreateIndex(index).compile(dialect=dialect)).strip())
    statements.append(str(CreateTable(version_table(TOWN_VERSION_TABLE)).compile(dialect=dialect)).strip())
    return ";\n".join(statements) + ";"


def script_directory(tree: str):
    return _script_directory(tree, MIGRATIONS)


@functools.cache
def _script_directory(tree: str, root: Path):
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(root / tree), version_locations=[str(root / tree / "versions")])


def head(tree: str) -> str:
    heads = script_directory(tree).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the {tree} migration tree must have exactly one head, has {heads}")
    return heads[0]


def role_prefix(database: str) -> str:
    """Roles are cluster-wide, schemas per database: prefix town roles per database."""
    configured = os.environ.get("LIAISON_ROLE_PREFIX")
    if configured:
        return configured
    return "lz" + hashlib.sha1(database.encode()).hexdigest()[:6] + "_"
