"""Declarative bases: one for the shared `platform` schema, one for every town schema.

Town models carry no schema at all; a session bound to a town renders them in that town's
schema (`schema_translate_map`), and an unbound session refuses them (see binding.py).
The two metadata objects never share a table name.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

PLATFORM_SCHEMA = "platform"

# Indico's convention: constraint names are predictable, so migrations can name them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class PlatformModel(DeclarativeBase):
    """Rows that cross towns: regions, towns, users, committees, tokens, the platform log."""

    metadata = MetaData(schema=PLATFORM_SCHEMA, naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}


class TownModel(DeclarativeBase):
    """Everything a town records. Rendered in `town_<slug>` by a bound session only."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}


class CreatedAt:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
