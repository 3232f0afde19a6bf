"""Upgrading the platform schema, then every town schema.

Towns are upgraded by a few worker processes, one transaction per town (with a
lock_timeout, as the town's role, the version stamped in the town's own schema), a canary
town first. A failed town is reported and recorded on its row; re-running the command
resumes: towns already at head cost one query each.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from alembic.config import Config
import psycopg
from psycopg import sql as psql
from alembic.runtime.environment import EnvironmentContext
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from . import schema
from .base import PlatformModel, TownModel
from .binding import TownBinding, start_town_transaction
from .schema import PLATFORM_VERSION_TABLE, TOWN_VERSION_TABLE, _load_models, head, script_directory

LOCK_TIMEOUT = os.environ.get("LIAISON_MIGRATION_LOCK_TIMEOUT", "5s")


@dataclass
class TownResult:
    slug: str
    before: str | None
    after: str | None
    ms: float
    error: str | None = None


def _config(tree: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(schema.MIGRATIONS / tree))
    return cfg


def _run(conn: Connection, tree: str, version_table: str, target: str, metadata, *, down: bool = False) -> None:
    script = script_directory(tree)

    def step(rev, context):
        return script._downgrade_revs(target, rev) if down else script._upgrade_revs(target, rev)

    with EnvironmentContext(_config(tree), script, fn=step, destination_rev=target) as env:
        env.configure(connection=conn, target_metadata=metadata, version_table=version_table,
                      version_table_schema=None if tree == "town" else "platform", transactional_ddl=True)
        with env.begin_transaction():
            env.run_migrations()


class MigrationLocked(RuntimeError):
    """Another `liaison db upgrade` is running against this database."""


@contextlib.contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Hold the database's migration lock (a session advisory lock on its own connection)
    for the whole run, so an operator's run and a deploy's never overlap."""
    with engine.connect() as conn:
        got = conn.exec_driver_sql("SELECT pg_try_advisory_lock(hashtext('liaison:migrate'))").scalar()
        conn.commit()
        if not got:
            raise MigrationLocked("another `liaison db upgrade` is running against this database")
        try:
            yield
        finally:
            conn.exec_driver_sql("SELECT pg_advisory_unlock(hashtext('liaison:migrate'))")
            conn.commit()


def upgrade_platform(engine: Engine, target: str = "head") -> tuple[str | None, str]:
    _load_models()
    with engine.begin() as conn:
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")  # platform tables serve every request
        conn.exec_driver_sql("CREATE SCHEMA IF NOT EXISTS platform")
        before = MigrationContext.configure(
            conn, opts={"version_table": PLATFORM_VERSION_TABLE, "version_table_schema": "platform"}
        ).get_current_revision()
        _run(conn, "platform", PLATFORM_VERSION_TABLE, target, PlatformModel.metadata)
    return before, head("platform") if target == "head" else target


def _enter(conn: Connection, binding: TownBinding) -> str | None:
    """One round trip: lock_timeout, search_path and role for this transaction only, and
    the town's own version stamp (read inside the town, as the town)."""
    statement = psql.SQL(
        "SELECT set_config('lock_timeout', {}, true), set_config('search_path', {}, true), "
        "set_config('role', {}, true); SELECT version_num FROM {}"
    ).format(psql.Literal(LOCK_TIMEOUT), psql.Literal(binding.schema), psql.Literal(binding.role),
             psql.Identifier(TOWN_VERSION_TABLE))
    with conn.connection.driver_connection.cursor() as cursor:
        cursor.execute(statement)  # a multi-statement string: one round trip
        cursor.nextset()
        row = cursor.fetchone()
    return row[0] if row else None


@functools.cache
def _steps(tree_root: str, before: str | None, target: str) -> tuple:
    """The scripts that take a town from `before` to `target`, oldest first (cached per
    tree location, `tree_root`: every town of a deployment usually stands at the same revision)."""
    script = script_directory("town")
    return tuple(reversed(list(script.iterate_revisions(target, before or "base"))))


_MISMATCH = "liaison: the town is not at its recorded revision"


@functools.cache
def _rendered(tree_root: str, before: str, wanted: str) -> str | None:
    """The SQL of the steps from `before` to `wanted`, rendered once by Alembic's offline
    mode; None when a step must run online (it sets `online_only = True`, e.g. a backfill
    that reads rows)."""
    steps = _steps(tree_root, before, wanted)
    if not steps or any(getattr(step.module, "online_only", False) for step in steps):
        return None
    buffer = io.StringIO()
    ctx = MigrationContext.configure(dialect_name="postgresql", opts={
        "as_sql": True, "output_buffer": buffer, "literal_binds": True, "target_metadata": TownModel.metadata})
    with Operations.context(ctx):
        for step in steps:
            step.module.upgrade()
    return buffer.getvalue()


def _finish(before: str | None, wanted: str, town_id: int, changed: bool) -> str:
    """Stamp the town's version, go back to the app's role, note it on the platform row.
    Revision ids come from our own tree and town ids are integers: safe as literals."""
    stamp = (f"UPDATE {TOWN_VERSION_TABLE} SET version_num = '{wanted}';\n" if before is not None
             else f"INSERT INTO {TOWN_VERSION_TABLE} (version_num) VALUES ('{wanted}');\n")
    return ((stamp if changed else "")
            + "SELECT set_config('role', 'none', true), set_config('search_path', 'platform', true);\n"
            f"UPDATE platform.towns SET schema_revision = '{wanted}', migration_error = NULL, "
            f"schema_checked_at = now() WHERE id = {int(town_id)}")


def _fast_upgrade(conn: Connection, binding: TownBinding, recorded: str, wanted: str) -> bool:
    """The whole upgrade of a town as one statement string: enter the town, check it really
    stands at `recorded`, the rendered DDL, the stamp. False when the steps need online mode."""
    ddl = _rendered(str(schema.MIGRATIONS), recorded, wanted)
    if ddl is None:
        return False
    enter = psql.SQL(
        "SELECT set_config('lock_timeout', {}, true), set_config('search_path', {}, true), "
        "set_config('role', {}, true);\n"
        "DO $$BEGIN IF (SELECT version_num FROM {}) IS DISTINCT FROM {} THEN RAISE EXCEPTION {}; END IF; END$$;\n"
    ).format(psql.Literal(LOCK_TIMEOUT), psql.Literal(binding.schema), psql.Literal(binding.role),
             psql.Identifier(TOWN_VERSION_TABLE), psql.Literal(recorded), psql.Literal(_MISMATCH))
    with conn.connection.driver_connection.cursor() as cursor:
        script = enter.as_string(cursor) + ddl + _finish(recorded, wanted, binding.town_id, True)
        cursor.execute(script)  # no parameters: one round trip for the whole town
    return True


def upgrade_town(conn: Connection, binding: TownBinding, target: str = "head",
                 recorded: str | None = None) -> tuple[str | None, str | None]:
    """Upgrade one town on `conn`, inside the caller's transaction. Returns (before, after).

    When the platform row's `recorded` revision is given and the steps can be rendered as
    SQL, the town costs one round trip (its real revision is checked inside it). Otherwise
    the scripts run through Alembic's operations with unqualified names, which the
    transaction's search_path resolves in the town's schema.
    """
    wanted = head("town") if target == "head" else target
    if recorded is not None and recorded != wanted and _fast_upgrade(conn, binding, recorded, wanted):
        return recorded, wanted
    before = _enter(conn, binding)
    steps = _steps(str(schema.MIGRATIONS), before, wanted) if before != wanted else ()
    if steps:
        ctx = MigrationContext.configure(conn, opts={"version_table": TOWN_VERSION_TABLE,
                                                     "target_metadata": TownModel.metadata})
        with Operations.context(ctx):
            for step in steps:
                step.module.upgrade()
    conn.exec_driver_sql(_finish(before, wanted, binding.town_id, bool(steps)))
    return before, wanted


def downgrade_town(conn: Connection, binding: TownBinding, target: str) -> None:
    """Take one town back to `target` ("base" drops every table), inside the caller's
    transaction. For rolling back a bad release town by town, and for the drift test."""
    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    start_town_transaction(conn, binding)
    _run(conn, "town", TOWN_VERSION_TABLE, target, TownModel.metadata, down=True)
    conn.exec_driver_sql("SELECT set_config('role', 'none', true), set_config('search_path', 'platform', true)")
    conn.execute(text("UPDATE platform.towns SET schema_revision = :rev WHERE id = :id"),
                 {"rev": None if target == "base" else target, "id": binding.town_id})


TownRecord = tuple[TownBinding, str | None]  # a town and the revision its platform row records


def _towns(engine: Engine, only: Iterable[str] | None = None) -> list[TownRecord]:
    sql = "SELECT id, slug, schema_name, role_name, schema_revision FROM platform.towns WHERE status <> 'archived'"
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(sql + " ORDER BY id").all()
    wanted = set(only) if only else None
    return [(TownBinding(*r[:4]), r[4]) for r in rows if wanted is None or r[1] in wanted]


def _upgrade_one(conn: Connection, town: TownRecord, target: str) -> TownResult:
    """One town in its own transaction on `conn` (a connection a worker keeps for its towns)."""
    binding, recorded = town
    started = time.perf_counter()
    try:
        try:
            with conn.begin():
                before, after = upgrade_town(conn, binding, target, recorded)
        except (DBAPIError, psycopg.Error) as exc:  # the fast path runs on the driver's cursor
            if _MISMATCH not in str(exc):
                raise
            with conn.begin():  # the platform row was stale: read the town's own stamp instead
                before, after = upgrade_town(conn, binding, target)
        return TownResult(binding.slug, before, after, (time.perf_counter() - started) * 1000)
    except Exception as exc:  # reported per town; the run goes on with the others
        message = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
        with conn.begin():
            conn.execute(text("UPDATE platform.towns SET migration_error = :e WHERE id = :id"),
                         {"e": message, "id": binding.town_id})
        return TownResult(binding.slug, None, None, (time.perf_counter() - started) * 1000, message)


_worker_engine: Engine | None = None


def _init_worker(url: str) -> None:
    global _worker_engine
    _load_models()
    _worker_engine = create_engine(url, pool_size=1, max_overflow=0,
                                   connect_args={"options": "-c search_path=platform"})


def _worker_chunk(args: tuple[list[TownRecord], str]) -> list[TownResult]:
    towns, target = args
    assert _worker_engine is not None
    with _worker_engine.connect() as conn:
        return [_upgrade_one(conn, town, target) for town in towns]


def upgrade_towns(
    engine: Engine,
    *,
    workers: int = 2,
    target: str = "head",
    only: Iterable[str] | None = None,
    report: Callable[[TownResult], None] | None = None,
    chunk: int = 50,
) -> list[TownResult]:
    """Upgrade every town (canary first, then the rest in `workers` processes)."""
    _load_models()
    towns = _towns(engine, only)
    results: list[TownResult] = []
    if not towns:
        return results

    def note(result: TownResult) -> None:
        results.append(result)
        if report:
            report(result)

    canary, rest = towns[0], towns[1:]
    with engine.connect() as conn:
        note(_upgrade_one(conn, canary, target))
        if results[0].error:
            return results  # the canary failed: stop before touching other towns
        if workers <= 1 or len(rest) < 2 * chunk:
            for town in rest:
                note(_upgrade_one(conn, town, target))
            return results
    url = engine.url.render_as_string(hide_password=False)
    chunks = [(rest[i:i + chunk], target) for i in range(0, len(rest), chunk)]
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(url,)) as pool:
        for batch in pool.map(_worker_chunk, chunks):
            for result in batch:
                note(result)
    return results
