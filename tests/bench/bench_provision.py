"""Provisioning a town vs the bare DDL of the same tables, measured in the same run.

    .venv/bin/python tests/bench/bench_provision.py [--n 40]

Each round provisions one town (role, schema, tables at head, version stamp, template seed,
platform rows, audit entry: one transaction) and, on the same server, runs the bare
`CREATE SCHEMA` + the same DDL in one transaction; the two alternate so both see the same
noise. Prints medians and the ratio; the goal is <= 1.3x.
"""

from __future__ import annotations

import argparse
import time

from _common import median, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=40)
    args = parser.parse_args()
    stack, app, ctx, db, regions = setup("liaison_bench_provision")
    try:
        import tenants
        from tenants.schema import town_ddl

        county = regions["411282"]
        ddl = town_ddl()
        provision_ms, bare_ms = [], []
        for i in range(args.n + 3):  # the first three warm up caches and are dropped
            started = time.perf_counter()
            tenants.provision(f"基准{i}镇", county, "yinzhuang", slug=f"bench{i}", use_pool=False)
            p = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            with db.engine.begin() as conn:
                conn.exec_driver_sql(f"CREATE SCHEMA bare{i}; SET LOCAL search_path = bare{i}")
                conn.exec_driver_sql(ddl)
            b = (time.perf_counter() - started) * 1000
            if i >= 3:
                provision_ms.append(p)
                bare_ms.append(b)
        tables = ddl.count("CREATE TABLE")
        p, b = median(provision_ms), median(bare_ms)
        print(f"{args.n} rounds, {tables} tables per town")
        print(f"provision: {p:.1f} ms vs bare DDL {b:.1f} ms = {p / b:.2f}x")
    finally:
        db.engine.dispose()
        ctx.pop()
        stack.stop()


if __name__ == "__main__":
    main()
