"""The grid list at Yinzhuang's size (679 residential grids / 819 heads, 11 shop grids /
218 heads, deputies assigned) against a bare SELECT of the grids, in the same run.

    .venv/bin/python tests/bench/bench_grids.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import time

from _common import median, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    stack, app, ctx, db, regions = setup("liaison_bench_grids")
    try:
        import tenants
        from sqlalchemy import text

        from webapp.access import bound_to
        from webapp.accounts.models import TownMembership, TownRole
        from webapp.accounts.services import create_user
        from webapp.demo import seed_roster
        from webapp.extensions import db as _db
        from tenants.models import Town

        town_id = tenants.provision("网格镇", regions["411282"], "yinzhuang", slug="gridbench")
        seed_roster(_db.session.get(Town, town_id), None)  # roster, grids, studios as in the demo
        user = create_user(username="bench", display_name="基准", password="bench-password")
        db.session.add(TownMembership(user=user, town_id=town_id, role=TownRole.staff))
        db.session.commit()
        app.config["WTF_CSRF_ENABLED"] = False
        client = app.test_client()
        client.post("/login", data={"identifier": "bench", "password": "bench-password"})
        url = "/t/gridbench/grids/"
        assert client.get(url).status_code == 200
        pages, bares = [], []
        for _ in range(args.rounds):
            t = time.perf_counter()
            client.get(url)
            pages.append(time.perf_counter() - t)
            with bound_to(town_id):
                t = time.perf_counter()
                db.session.execute(text("SELECT * FROM grids ORDER BY community, kind, id LIMIT 100")).all()
                bares.append(time.perf_counter() - t)
        with bound_to(town_id):
            counts = db.session.execute(text("SELECT (SELECT count(*) FROM grids), (SELECT count(*) FROM grid_heads)")).one()
        p, b = median(pages) * 1000, median(bares) * 1000
        print(f"{counts[0]} grids, {counts[1]} heads, {args.rounds} rounds")
        print(f"grid list page: {p:.1f} ms vs bare SELECT {b:.1f} ms = {p / b:.1f}x")
    finally:
        db.engine.dispose()
        ctx.pop()
        stack.stop()


if __name__ == "__main__":
    main()
