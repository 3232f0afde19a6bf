"""Rendering a deputy's file (一人一档) with five years of records, against rendering the
deputy's plain detail page, in the same run. Goal: the file under 150 ms.

    .venv/bin/python tests/bench/bench_deputy_file.py [--records 600] [--rounds 30]

The records are the sections that exist today, spread over five years: grid work and the
record's history (read from the town's log), and a quarter as many opinions the deputy
received and suggestions they filed (with the yearly figures from the statistics service);
later areas add their own sections and this benchmark should grow with them.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

from _common import median, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    stack, app, ctx, db, regions = setup("liaison_bench_file")
    try:
        import tenants
        from webapp.access import bound_to
        from webapp.accounts.models import TownMembership, TownRole
        from webapp.accounts.services import create_user
        from webapp.audit.models import TownAuditEntry
        from webapp.deputies.models import DeputyLevel
        from webapp.deputies.services import create_deputy
        from webapp.grids.models import GridKind
        from webapp.grids.services import create_grid

        town_id = tenants.provision("档案镇", regions["411282"], "yinzhuang", slug="filebench")
        user = create_user(username="bench", display_name="基准", password="bench-password")
        db.session.add(TownMembership(user=user, town_id=town_id, role=TownRole.staff))
        db.session.commit()
        start = datetime(2021, 12, 1, tzinfo=UTC)
        with bound_to(town_id):
            deputy = create_deputy(actor=None, data={"name": "赵国强", "level": DeputyLevel.town,
                                                     "term_start": start.date()})
            grids = [create_grid(actor=None, data={"kind": GridKind.residential, "community": "尹庄村",
                                                   "name": f"第{i}网格"}) for i in range(20)]
            db.session.flush()
            for i in range(args.records):  # five years of grid work and record changes
                at = start + timedelta(days=i * 5 * 365 // args.records)
                grid = grids[i % 20]
                if i % 3:
                    db.session.add(TownAuditEntry(at=at, action="grid.assign" if i % 2 else "grid.unassign",
                                                  target=f"{grid.community} {grid.name} #{grid.id}",
                                                  details={"deputy": f"{deputy.name} #{deputy.id}"}))
                else:
                    db.session.add(TownAuditEntry(at=at, action="deputy.update", target=f"{deputy.name} #{deputy.id}",
                                                  details={"changes": {"phone": ["1", "2"]}}))
            from webapp.opinions.models import Channel, Kind, Opinion, Satisfaction, State

            for i in range(args.records // 4):  # opinions received and suggestions filed
                day = (start + timedelta(days=i * 4 * 5 * 365 // args.records)).date()
                closed = i % 5 != 0
                db.session.add(Opinion(
                    kind=Kind.suggestion if i % 6 == 0 else Kind.opinion,
                    channel=Channel.deputy if i % 6 == 0 else Channel.visit, received_on=day,
                    title=f"意见{i}", text="村口路灯不亮", deputy_id=deputy.id,
                    state=State.closed if closed else State.assigned, assigned_on=day,
                    due_on=day + timedelta(days=21), answered_on=day + timedelta(days=14) if closed else None,
                    closed_on=day + timedelta(days=20) if closed else None,
                    satisfaction=Satisfaction.satisfied if closed else None))
            deputy_id = deputy.id
        app.config["WTF_CSRF_ENABLED"] = False
        client = app.test_client()
        client.post("/login", data={"identifier": "bench", "password": "bench-password"})
        file_url, plain_url = f"/t/filebench/deputies/{deputy_id}/file", f"/t/filebench/deputies/{deputy_id}"
        assert client.get(file_url).status_code == 200
        files, plains = [], []
        for _ in range(args.rounds):
            t = time.perf_counter()
            response = client.get(file_url)
            files.append(time.perf_counter() - t)
            assert response.status_code == 200
            t = time.perf_counter()
            client.get(plain_url)
            plains.append(time.perf_counter() - t)
        f, p = median(files) * 1000, median(plains) * 1000
        print(f"{args.records} records over five years, {args.rounds} rounds (goal: the file under 150 ms)")
        print(f"deputy file: {f:.1f} ms vs plain detail page {p:.1f} ms = {f / p:.1f}x")
    finally:
        db.engine.dispose()
        ctx.pop()
        stack.stop()


if __name__ == "__main__":
    main()
