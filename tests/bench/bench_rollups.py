"""The quarterly rollup (issue #8) of 500 towns with realistic data, through real RQ workers,
against the same job run in-process, serially, in the same run. Goal: 2,500 towns in under
60 s on a 2-core host with 2 workers.

    .venv/bin/python tests/bench/bench_rollups.py [--towns 500] [--workers 2] [--sample 30]

Every town is provisioned the normal way (`tenants.provision`); one of them gets the demo's
year of Yinzhuang's data through the demo's own functions (roster, grids, studios, rota,
activities, opinions ledger, key projects and the five ones, evaluations), and its rows are
copied server-side into every other town (`INSERT INTO town_x.t SELECT ... FROM town_src.t`
over the town metadata's tables in FK order, sequences reset, the town's settings copied,
each copy analyzed as autovacuum would). Then the current quarter of every town is enqueued as
the nightly run does (`jobs.rollups.enqueue_batches`: jobs of up to `BATCH` towns) and
`--workers` processes run exactly as production does (`liaison worker --queues rollups
--burst`), timed from the first enqueue until every worker has exited. Checked: every town
has its row in platform `rollups`, no job failed, no town handed over to a job of its own.
The baseline: `rollup_town` (one town's job) called in-process, serially, for `--sample` towns.

Also printed: the CPU time per town of the workers (with their forked work horses and their
start-up) and of PostgreSQL's backends (embedded stack only), which vary less than the wall
clock on a shared host, and the load average at the end (the host's other work shows there).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from _common import median, setup

SOURCE_USERS = [  # the accounts the demo's seed functions look up by name
    ("yz_staff", "尹庄镇人大秘书 张敏", "staff"),
    ("yz_presidium", "主席团成员 刘芳", "presidium"),
    ("yz_deputy", "代表 赵国强", "deputy"),
    ("yz_admin", "尹庄镇人大主席 李建华", "station_admin"),
]


def seed_source_town(county_id: int, *, slug: str = "yinzhuang") -> int:
    """A town with the demo's year of Yinzhuang's data (the demo's own seed functions and
    accounts); returns its id."""
    import tenants
    from sqlalchemy import select

    from tenants.models import Town
    from webapp.accounts.models import TownMembership, TownRole, User
    from webapp.accounts.services import create_user
    from webapp.demo import PASSWORD, seed_evaluations, seed_opinions, seed_projects, seed_roster
    from webapp.extensions import db

    town_id = tenants.provision("尹庄镇", county_id, "yinzhuang", slug=slug, name_en="Yinzhuang")
    users = {}
    for n, (username, name, role) in enumerate(SOURCE_USERS):
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            user = create_user(username=username, display_name=name, password=PASSWORD, phone=f"1380000{n:04d}")
        db.session.add(TownMembership(user=user, town_id=town_id, role=TownRole(role)))
        users[username] = user
    db.session.commit()
    deputy_user = users["yz_deputy"].id
    town = db.session.get(Town, town_id)
    seed_roster(town, deputy_user)
    seed_opinions(town)
    seed_projects(town)
    seed_evaluations(town)
    db.session.remove()
    return town_id


class TownCopier:
    """Copies every town table's rows of one town into another, server-side, as the owner."""

    def __init__(self, db, source_id: int, fresh_id: int):
        from sqlalchemy import text

        from tenants.models import Town
        from tenants.base import TownModel
        from tenants.schema import _load_models

        _load_models()
        self.db = db
        source = db.session.get(Town, source_id)
        self.source_schema, self.settings = source.schema_name, source.settings
        self.tables = TownModel.metadata.sorted_tables
        with db.engine.connect() as conn:
            counts = {t.name: conn.exec_driver_sql(f'SELECT count(*) FROM "{self.source_schema}"."{t.name}"').scalar()
                      for t in self.tables}
            self.serials = conn.execute(text(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = :s AND column_default LIKE 'nextval(%'"), {"s": self.source_schema}).all()
        self.filled = [t for t in self.tables if counts[t.name]]
        with db.engine.connect() as conn:  # what provisioning seeds from the template
            fresh = db.session.get(Town, fresh_id).schema_name
            self.seeded = {t.name for t in self.tables
                           if conn.exec_driver_sql(f'SELECT EXISTS (SELECT FROM "{fresh}"."{t.name}")').scalar()}
        self.rows = sum(counts.values())
        db.session.remove()

    def copy(self, town_id: int) -> None:
        from sqlalchemy import text

        from tenants.models import Town

        db = self.db
        target = db.session.get(Town, town_id).schema_name
        db.session.remove()
        src = self.source_schema
        # the template's seed rows go first (the source holds its own copy of them); the other tables are empty
        script = [f'DELETE FROM "{target}"."{t.name}"' for t in reversed(self.tables) if t.name in self.seeded]
        for table in self.filled:
            cols = ", ".join(f'"{c.name}"' for c in table.columns)
            script.append(f'INSERT INTO "{target}"."{table.name}" ({cols}) SELECT {cols} FROM "{src}"."{table.name}"')
        for table, column in self.serials:
            script.append(f"SELECT setval(pg_get_serial_sequence('\"{target}\".\"{table}\"', '{column}'), "
                          f'(SELECT COALESCE(max("{column}"), 0) + 1 FROM "{target}"."{table}"), false)')
        with db.engine.begin() as conn:
            conn.exec_driver_sql(";\n".join(script))
            conn.execute(text("UPDATE platform.towns SET settings = (SELECT settings FROM platform.towns s "
                              "WHERE s.schema_name = :src) WHERE id = :id"), {"src": src, "id": town_id})
        with db.engine.connect() as conn:  # the statistics autovacuum would gather, gathered now
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("ANALYZE " + ", ".join(f'"{target}"."{t.name}"' for t in self.filled))


def provision_towns(db, county_id: int, n: int, prefix: str, source_id: int, *,
                    report_every: int = 50) -> tuple[list[int], TownCopier | None]:
    """`n` towns provisioned the normal way, each then holding a copy of the source town's rows."""
    import tenants

    ids, copier = [], None
    timing = [0.0, 0.0]
    started = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        town_id = tenants.provision(f"{prefix}{i}镇", county_id, "yinzhuang", slug=f"{prefix}{i}")
        t1 = time.perf_counter()
        copier = copier or TownCopier(db, source_id, town_id)
        copier.copy(town_id)
        timing[0] += t1 - t0
        timing[1] += time.perf_counter() - t1
        ids.append(town_id)
        if report_every and (i + 1) % report_every == 0:
            print(f"  {i + 1} towns provisioned and filled ({time.perf_counter() - started:.0f} s: provisioning "
                  f"{timing[0]:.0f} s, copying {timing[1]:.0f} s)", flush=True)
    return ids, copier


def _cpu_meter(database_url: str):
    """CPU seconds used from now on by this process's children (the workers, whose work horses
    they wait for) and by the embedded PostgreSQL's exited backends (each horse's connections);
    nan for a server given by DATABASE_URL."""
    import resource

    from webapp.devstack import instance_dir

    pidfile = instance_dir() / "pg-bench" / "postmaster.pid"
    embedded = str(pidfile.parent) in database_url  # its socket lives in its data directory

    def postgres() -> float:
        try:
            if not embedded:
                raise ValueError
            pid = int(pidfile.read_text().split()[0])
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, ValueError, IndexError):
            return float("nan")
        return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime

    def children() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    before = children(), postgres()
    return lambda: (children() - before[0], postgres() - before[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--towns", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=30)
    args = parser.parse_args()
    stack, app, ctx, db, regions = setup("liaison_bench_rollups")
    try:
        from rq import Queue
        from rq.registry import FailedJobRegistry
        from sqlalchemy import func, select

        from jobs import redis_connection
        from jobs.rollups import BATCH, enqueue_batches, rollup_town
        from webapp.committees.models import Rollup
        from webapp.committees.rollups import quarter_of

        county = regions["411282"].id
        t = time.perf_counter()
        source = seed_source_town(county)
        seeded = time.perf_counter() - t
        t = time.perf_counter()
        copies, copier = provision_towns(db, county, args.towns - 1, "rb", source)
        towns = [source] + copies
        filled = time.perf_counter() - t
        if copier:
            print(f"source town seeded with the demo's year in {seeded:.0f} s ({copier.rows:,} rows in "
                  f"{len(copier.filled)} of {len(copier.tables)} tables); {args.towns} towns provisioned and filled "
                  f"in {filled:.0f} s", flush=True)
        with db.engine.connect() as conn:  # let the server settle: nothing left for autovacuum to do now
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("VACUUM ANALYZE platform.towns, platform.regions, platform.rollups")

        today = date.today()
        year, quarter = quarter_of(today)
        redis = redis_connection()
        q = Queue("rollups", connection=redis)
        q.empty()
        env = {**os.environ, "DATABASE_URL": stack.database_url, "REDIS_URL": stack.redis_url}
        liaison = str(Path(sys.executable).with_name("liaison"))
        log = tempfile.NamedTemporaryFile("w+", prefix="bench_rollups_worker_", suffix=".log", delete=False)

        cpu = _cpu_meter(stack.database_url)
        started = time.perf_counter()
        job_ids = enqueue_batches(towns, [(year, quarter)], today)
        enqueued = time.perf_counter() - started
        workers = [subprocess.Popen([liaison, "worker", "--queues", "rollups", "--burst"], env=env,
                                    stdout=log, stderr=subprocess.STDOUT) for _ in range(args.workers)]
        codes = [w.wait() for w in workers]
        elapsed = time.perf_counter() - started
        worker_cpu, postgres_cpu = cpu()

        from rq.job import Job

        jobs = Job.fetch_many(job_ids, connection=redis)
        statuses = [j.get_status() if j else "missing" for j in jobs]
        failed = FailedJobRegistry(queue=q).count
        not_finished = sum(s != "finished" for s in statuses)
        handed_over = sum(len(j.return_value()["handed_over"]) for j in jobs if j and j.get_status() == "finished")
        rows = db.session.scalar(select(func.count()).select_from(Rollup).where(
            Rollup.town_id.in_(towns), Rollup.year == year, Rollup.quarter == quarter))
        db.session.remove()
        spans = sorted((j.started_at, j.ended_at) for j in jobs if j and j.started_at and j.ended_at)
        job_ms = median([(e - s).total_seconds() * 1000 for s, e in spans]) if spans else float("nan")
        busy = (max(e for _, e in spans) - spans[0][0]).total_seconds() if spans else float("nan")
        if any(codes) or failed or not_finished or handed_over or rows != len(towns):
            log.seek(0)
            print(log.read()[-4000:])
        print(f"workers exited {codes}; jobs of up to {BATCH} towns: {len(jobs) - not_finished} finished, "
              f"{failed} failed, {handed_over} towns handed over; "
              f"rollup rows for {year}Q{quarter}: {rows} of {len(towns)}; enqueueing took {enqueued:.1f} s; "
              f"first job start to last job end {busy:.1f} s; median job {job_ms:.0f} ms (worker log {log.name})")
        print(f"CPU per town: workers and their work horses {worker_cpu / len(towns) * 1000:.0f} ms (startup "
              f"included), PostgreSQL backends {postgres_cpu / len(towns) * 1000:.0f} ms", flush=True)

        # the baseline: the same job, in this process, serially, for a sample of towns
        sample = towns[1:: max(1, len(towns) // args.sample)][: args.sample]
        rollup_town(towns[0], year, quarter, today.isoformat())  # warm-up (imports, compiled statements)
        times = []
        for town_id in sample:
            t = time.perf_counter()
            rollup_town(town_id, year, quarter, today.isoformat())
            times.append((time.perf_counter() - t) * 1000)
        in_process = median(times)

        print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1 / 5 / 15 min)")
        rate = len(towns) / elapsed
        projected = 2500 / rate
        ok = not any(codes) and not failed and not not_finished and not handed_over and rows == len(towns)
        print(f"rollups: {len(towns):,} towns in {elapsed:.1f} s with {args.workers} workers = {rate:.1f} towns/s; "
              f"2,500 projected {projected:.0f} s (goal < 60 s{'' if projected < 60 else ': missed'}); "
              f"in-process {in_process:.0f} ms/town{'' if ok else '  [CHECK FAILED]'}")
    finally:
        db.engine.dispose()
        ctx.pop()
        stack.stop()


if __name__ == "__main__":
    main()
