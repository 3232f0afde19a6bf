"""Signing a town up from the pool of spare schemas vs making its schema, in the same run.

    .venv/bin/python tests/bench/bench_onboard.py [--n 30]

Each round provisions two towns in one transaction each: one claims a spare schema made
beforehand (untimed; `tenants.pool.make_spare`) and renames it, the other runs the no-pool
path (role, schema, every table). Both include the same checks, platform rows, template seed
and audit entry, so the difference is the DDL the pool saved. Also timed alone: the claim
and the renames (`claim_spare` + the two ALTER ... RENAME, without the seed). Goal: claim <= 20 ms.
"""

from __future__ import annotations

import argparse
import time

from _common import median, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30)
    args = parser.parse_args()
    stack, app, ctx, db, regions = setup("liaison_bench_onboard")
    try:
        import tenants
        from tenants.pool import make_spare
        from tenants.provisioning import claim_spare
        from tenants.schema import role_prefix

        county = regions["411282"]
        prefix = role_prefix(db.engine.url.database)
        pool_ms, ddl_ms, claim_ms = [], [], []
        for i in range(args.n + 3):  # the first three warm up caches and are dropped
            make_spare()
            make_spare()
            started = time.perf_counter()
            tenants.provision(f"池{i}镇", county, "yinzhuang", slug=f"pool{i}")
            p = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            tenants.provision(f"建{i}镇", county, "yinzhuang", slug=f"ddl{i}", use_pool=False)
            d = (time.perf_counter() - started) * 1000
            with db.engine.begin() as conn:  # the claim and the renames alone
                started = time.perf_counter()
                spare = claim_spare(conn)
                conn.exec_driver_sql(f'ALTER SCHEMA "{spare.schema_name}" RENAME TO "town_claim{i}"; '
                                     f'ALTER ROLE "{spare.role_name}" RENAME TO "{prefix}town_claim{i}"')
                c = (time.perf_counter() - started) * 1000
            if i >= 3:
                pool_ms.append(p)
                ddl_ms.append(d)
                claim_ms.append(c)
        p, d, c = median(pool_ms), median(ddl_ms), median(claim_ms)
        print(f"{args.n} rounds; medians")
        print(f"claim and rename alone: {c:.1f} ms")
        print(f"signup claim from the pool: {p:.1f} ms vs no-pool path {d:.1f} ms = {p / d:.2f}x (goal <= 20 ms)")
    finally:
        db.engine.dispose()
        ctx.pop()
        stack.stop()


if __name__ == "__main__":
    main()
