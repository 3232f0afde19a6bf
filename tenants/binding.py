"""Binding a unit of work to one town's schema.

A bound session renders every town table in the town's schema (`schema_translate_map`)
and starts each transaction on the town connection with one statement that sets
`search_path` and `role` for that transaction only (`set_config(..., true)`), so raw SQL
runs inside the town too, as the town's own role, which cannot read any other schema.
Nothing is ever set for the session: a pooled connection carries no town to its next user.

Platform models keep using the platform connection (the app's login role, whose
search_path is `platform`), so one request can read the user and write the town. In a
bound session anything that does not name platform tables only (raw SQL, textual
selects, `session.connection()`) goes to the town connection.
An unbound session touching a town table raises `TownNotBound` before any SQL is sent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql import util as sql_util

from .base import PLATFORM_SCHEMA, PlatformModel, TownModel


class TownNotBound(RuntimeError):
    """A town table was used by a session (or connection) that is not bound to a town."""


@dataclass(frozen=True)
class TownBinding:
    town_id: int
    slug: str
    schema: str
    role: str

    @classmethod
    def of(cls, town: Any) -> TownBinding:
        return cls(town.id, town.slug, town.schema_name, town.role_name)


_SET_TOWN = "SELECT set_config('search_path', %(schema)s, true), set_config('role', %(role)s, true)"

_engines: dict[tuple[int, TownBinding], Engine] = {}


def town_engine(base: Engine, binding: TownBinding) -> Engine:
    """An engine sharing `base`'s pool that renders town tables in the town's schema.

    Keyed by the whole binding (schema *and* role), so a schema renamed or re-created
    under another role never reuses a stale engine."""
    key = (id(base), binding)
    engine = _engines.get(key)
    if engine is None:
        engine = base.execution_options(
            schema_translate_map={None: binding.schema}, liaison_town=binding
        )
        _engines[key] = engine
    return engine


def start_town_transaction(connection: Connection, binding: TownBinding) -> None:
    connection.exec_driver_sql(_SET_TOWN, {"schema": binding.schema, "role": binding.role})


def _tables(mapper: Any, clause: Any) -> list:
    if mapper is not None:
        return [mapper.local_table]
    if clause is not None:
        return list(sql_util.find_tables(clause, include_crud=True, include_joins=True))
    return []


class BoundSession(FlaskSession):
    """flask-sqlalchemy's session, routing town tables to the bound town's connection.

    flask-sqlalchemy's own get_bind always answers with the default engine, so a
    per-town engine has to come from here.
    """

    @property
    def town(self) -> TownBinding | None:
        return self.info.get("town")

    def bind_town(self, binding: TownBinding) -> None:
        current = self.info.get("town")
        if current is not None and current != binding:
            raise RuntimeError(f"session already bound to {current.slug}; one session, one town")
        self.info["town"] = binding

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):  # type: ignore[override]
        if bind is not None:
            return bind
        # a session made with an explicit engine keeps it; otherwise flask-sqlalchemy's default
        base = self.bind if self.bind is not None else super().get_bind(mapper=mapper, clause=clause, **kwargs)
        binding = self.info.get("town")
        tables = _tables(mapper, clause)
        if binding is None:
            if any(t.metadata is TownModel.metadata for t in tables if hasattr(t, "metadata")):
                raise TownNotBound("a town table was queried by a session not bound to a town")
            return base
        # Bound: only what names platform tables and nothing else uses the platform
        # connection; everything else (raw SQL in any form, session.connection()) runs
        # inside the town, as the town's role.
        if tables and all(getattr(t, "metadata", None) is PlatformModel.metadata for t in tables):
            return base
        return town_engine(base, binding)


@event.listens_for(BoundSession, "after_begin")
def _begin_in_town(session, transaction, connection: Connection) -> None:
    binding = connection.get_execution_options().get("liaison_town")
    if binding is not None:
        start_town_transaction(connection, binding)


@contextlib.contextmanager
def town_connection(engine: Engine, binding: TownBinding) -> Iterator[Connection]:
    """A connection in one transaction inside the town (for CLI, runners, benchmarks)."""
    with engine.connect() as conn:
        conn = conn.execution_options(schema_translate_map={None: binding.schema})
        with conn.begin():
            start_town_transaction(conn, binding)
            yield conn


def current_search_path(conn: Connection) -> str:
    return conn.execute(text("SHOW search_path")).scalar_one()


__all__ = [
    "PLATFORM_SCHEMA",
    "BoundSession",
    "TownBinding",
    "TownNotBound",
    "current_search_path",
    "start_town_transaction",
    "town_connection",
    "town_engine",
]
