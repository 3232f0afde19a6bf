"""Upgrading the platform schema, then every town schema.

Towns are upgraded by a few worker processes, one transaction per town (with a
lock_timeout, as the town's role, the version stamped in the town's own schema), a canary
town first. A failed town is reported and recorded on its row; re-running the command
resumes: towns already at head cost one query each.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine

from .base import PlatformModel, TownModel
from .binding import TownBinding, start_town_transaction
from .schema import MIGRATIONS, PLATFORM_VERSION_TABLE, TOWN_VERSION_TABLE, _load_models, head, script_directory

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
    cfg.set_main_option("script_location", str(MIGRATIONS / tree))
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


def upgrade_platform(engine: Engine, target: str = "head") -> tuple[str | None, str]:
    _load_models()
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA IF NOT EXISTS platform")
        before = MigrationContext.configure(
            conn, opts={"version_table": PLATFORM_VERSION_TABLE, "version_table_schema": "platform"}
        ).get_current_revision()
        _run(conn, "platform", PLATFORM_VERSION_TABLE, target, PlatformModel.metadata)
    return before, head("platform") if target == "head" else target


def upgrade_town(conn: Connection, binding: TownBinding, target: str = "head") -> tuple[str | None, str | None]:
    """Upgrade one town on `conn`, inside the caller's transaction. Returns (before, after)."""
    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    start_town_transaction(conn, binding)
    ctx = MigrationContext.configure(conn, opts={"version_table": TOWN_VERSION_TABLE})
    before = ctx.get_current_revision()
    wanted = head("town") if target == "head" else target
    if before != wanted:
        _run(conn, "town", TOWN_VERSION_TABLE, target, TownModel.metadata)
    # back to the app's role to note the revision on the town's platform row, same transaction
    conn.exec_driver_sql("SELECT set_config('role', 'none', true), set_config('search_path', 'platform', true)")
    conn.execute(
        text("UPDATE platform.towns SET schema_revision = :rev, migration_error = NULL, "
             "schema_checked_at = now() WHERE id = :id"),
        {"rev": wanted, "id": binding.town_id},
    )
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


def _bindings(engine: Engine, only: Iterable[str] | None = None) -> list[TownBinding]:
    sql = "SELECT id, slug, schema_name, role_name FROM platform.towns WHERE status <> 'archived'"
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(sql + " ORDER BY id").all()
    wanted = set(only) if only else None
    return [TownBinding(*r) for r in rows if wanted is None or r[1] in wanted]


def _upgrade_one(engine: Engine, binding: TownBinding, target: str) -> TownResult:
    started = time.perf_counter()
    try:
        with engine.begin() as conn:
            before, after = upgrade_town(conn, binding, target)
        return TownResult(binding.slug, before, after, (time.perf_counter() - started) * 1000)
    except Exception as exc:  # reported per town; the run goes on with the others
        message = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
        with engine.begin() as conn:
            conn.execute(text("UPDATE platform.towns SET migration_error = :e WHERE id = :id"),
                         {"e": message, "id": binding.town_id})
        return TownResult(binding.slug, None, None, (time.perf_counter() - started) * 1000, message)


_worker_engine: Engine | None = None


def _init_worker(url: str) -> None:
    global _worker_engine
    _load_models()
    _worker_engine = create_engine(url, pool_size=1, max_overflow=0,
                                   connect_args={"options": "-c search_path=platform"})


def _worker_chunk(args: tuple[list[TownBinding], str]) -> list[TownResult]:
    bindings, target = args
    assert _worker_engine is not None
    return [_upgrade_one(_worker_engine, b, target) for b in bindings]


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
    bindings = _bindings(engine, only)
    results: list[TownResult] = []
    if not bindings:
        return results

    def note(result: TownResult) -> None:
        results.append(result)
        if report:
            report(result)

    canary, rest = bindings[0], bindings[1:]
    note(_upgrade_one(engine, canary, target))
    if results[0].error:
        return results  # the canary failed: stop before touching other towns
    if workers <= 1 or len(rest) < 2 * chunk:
        for b in rest:
            note(_upgrade_one(engine, b, target))
        return results
    url = engine.url.render_as_string(hide_password=False)
    chunks = [(rest[i:i + chunk], target) for i in range(0, len(rest), chunk)]
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(url,)) as pool:
        for batch in pool.map(_worker_chunk, chunks):
            for result in batch:
                note(result)
    return results
