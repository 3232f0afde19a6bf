"""Migrating N towns (one nullable column) with the runner vs a bare ALTER TABLE loop,
measured in the same run.

    .venv/bin/python tests/bench/bench_migrate.py [--towns 500] [--workers 1]

The runner (`liaison db upgrade`'s engine) upgrades each town in its own transaction with
lock_timeout, as the town's role, stamps the version in the town schema and notes it on the
platform row, canary first, in worker processes. The baseline is the bare loop: per town
BEGIN; ALTER TABLE ... ADD COLUMN; COMMIT on one connection. Goal: <= 2x per town.

--workers defaults to 1 here: on a 2-core machine with PostgreSQL on the same host, worker
processes compete with the server for the cores (measured: 1 worker 0.88 ms/town, 2 workers
0.89). With the database on its own server, `liaison db upgrade --workers 4` overlaps the
network round trips.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from _common import setup

REVISION = '''"""bench: one nullable column"""
import sqlalchemy as sa
from alembic import op

revision = "bench{n:02d}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("supervision_groups", sa.Column("bench_note_{n}", sa.String(200), nullable=True))


def downgrade() -> None:
    op.drop_column("supervision_groups", "bench_note_{n}")
'''


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--towns", type=int, default=500)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (bare loop, runner); medians are printed")
    args = parser.parse_args()
    stack, app, ctx, db, regions = setup("liaison_bench_migrate")
    tmp = Path(tempfile.mkdtemp(prefix="liaison-bench-"))
    try:
        import tenants
        from tenants import schema
        from tenants.migrate import upgrade_towns

        started = time.perf_counter()
        county = regions["411282"]
        for i in range(args.towns):
            tenants.provision(f"迁移{i}镇", county, "minimal", slug=f"m{i}")
        print(f"{args.towns} towns provisioned in {time.perf_counter() - started:.1f} s")
        schemas = [f"town_m{i}" for i in range(args.towns)]

        shutil.copytree(schema.MIGRATIONS, tmp / "migrations")
        down = schema.head("town")
        bares, runs = [], []
        for n in range(1, args.rounds + 1):
            # baseline: the bare loop, one transaction per town, one connection
            with db.engine.connect() as conn:
                started = time.perf_counter()
                for s_ in schemas:
                    with conn.begin():
                        conn.exec_driver_sql(f"ALTER TABLE {s_}.supervision_groups ADD COLUMN bench_bare_{n} varchar(200)")
                bares.append((time.perf_counter() - started) * 1000 / len(schemas))
            # the runner, on a copy of the town tree with one more revision
            (tmp / "migrations" / "town" / "versions" / f"9999_bench{n:02d}.py").write_text(
                REVISION.format(n=n, down=down))
            down = f"bench{n:02d}"
            schema.MIGRATIONS = tmp / "migrations"
            schema._script_directory.cache_clear()  # the tree grew a revision
            assert schema.head("town") == down
            started = time.perf_counter()
            results = upgrade_towns(db.engine, workers=args.workers)
            runs.append((time.perf_counter() - started) * 1000 / len(results))
            failed = [r for r in results if r.error]
            assert not failed, failed[:3]
            assert all(r.after == down for r in results)
        runner, bare = statistics.median(runs), statistics.median(bares)
        print(f"{len(schemas)} towns, {args.rounds} rounds, {args.workers} worker(s), each town in its own transaction")
        print(f"migrate: {runner:.2f} ms/town vs bare ALTER loop {bare:.2f} ms/town = {runner / bare:.2f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        db.engine.dispose()
        ctx.pop()
        stack.stop()


if __name__ == "__main__":
    main()
