"""The export center (issue #9): a committee's quarter of 100 towns with realistic data, as one
ZIP built by a real worker, against the same workbooks built in-process without the ZIP and
the job. Goal: under 20 s, the worker's peak RSS under 300 MB.

    .venv/bin/python tests/bench/bench_exports.py [--towns 100]

The towns are made as tests/bench/bench_rollups.py makes them: one town seeded with the demo's
year of Yinzhuang's data through the demo's own functions, its rows copied server-side into
every other town. The source town's rollups of the last four quarters are computed by the job
itself (`rollup_town`) and copied to every town, so each town's scorecard has a trend. A
committee over the county asks for the quarter just finished (`request_export`, as the
scorecard's button does); `liaison worker --queues exports --burst` builds it, timed from its
start until it exits; its peak RSS (the work horse's, the largest of its process tree) comes
from wait4. Checked: the export is done, the ZIP is whole, with the summary and one workbook
(and, when the renderer exists, one PDF scorecard) per town.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

from _common import setup
from bench_rollups import provision_towns, seed_source_town


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--towns", type=int, default=100)
    args = parser.parse_args()
    stack, app, ctx, db, regions = setup("liaison_bench_exports")
    export_dir = Path(tempfile.mkdtemp(prefix="bench_exports_"))
    app.config["EXPORT_DIR"] = str(export_dir)
    try:
        from flask_babel import force_locale
        from rq import Queue
        from sqlalchemy import select, text

        from jobs import redis_connection
        from jobs.rollups import rollup_town
        from webapp.access import bound_to
        from webapp.accounts.models import CommitteeMembership
        from webapp.accounts.services import create_user
        from webapp.committees.models import Committee
        from webapp.committees.rollups import previous_quarter, quarter_bounds, quarter_of
        from webapp.exports.ledgers import activities_sheet, findings_sheet, opinions_sheet, scorecard_sheet
        from webapp.exports.models import Export, ExportState
        from webapp.exports.services import request_export
        from webapp.exports.xlsx import new_book, save
        from webapp.committees.models import Rollup

        county = regions["411282"].id
        t = time.perf_counter()
        source = seed_source_town(county)
        copies, copier = provision_towns(db, county, args.towns - 1, "eb", source, report_every=25)
        towns = [source] + copies
        print(f"{len(towns)} towns provisioned and filled with the demo's year "
              f"({copier.rows if copier else 0:,} rows each) in {time.perf_counter() - t:.0f} s", flush=True)

        year, quarter = previous_quarter(*quarter_of(date.today()))
        trend = [(year, quarter)]
        for _n in range(3):
            trend.insert(0, previous_quarter(*trend[0]))
        for y, q in trend:
            rollup_town(source, y, q)
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO platform.rollups (town_id, year, quarter, figures, provisional, frozen, computed_at) "
                "SELECT t.id, r.year, r.quarter, r.figures, r.provisional, r.frozen, r.computed_at "
                "FROM platform.rollups r CROSS JOIN platform.towns t "
                "WHERE r.town_id = :source AND t.id = ANY(:towns) AND t.id <> :source"),
                {"source": source, "towns": towns})
        committee = Committee(slug="bench", name="灵宝市人大常委会（基准）", region_id=county)
        member = create_user(username="bench_committee", display_name="基准委员", password="bench-password-1")
        db.session.add_all([committee, CommitteeMembership(user=member, committee=committee)])
        db.session.commit()
        with db.engine.connect() as conn:  # let the server settle: nothing left for autovacuum to do now
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("VACUUM ANALYZE platform.towns, platform.regions, platform.rollups")

        q = Queue("exports", connection=redis_connection())
        q.empty()
        export = request_export("committee_quarter", actor=member, form={"quarter": f"{year}Q{quarter}"},
                                committee_id=committee.id, locale="zh_Hans_CN")
        db.session.commit()
        export_id = export.id
        db.session.remove()

        env = {**os.environ, "DATABASE_URL": stack.database_url, "REDIS_URL": stack.redis_url,
               "LIAISON_EXPORT_DIR": str(export_dir)}
        log = tempfile.NamedTemporaryFile("w+", prefix="bench_exports_worker_", suffix=".log", delete=False)
        started = time.perf_counter()
        worker = subprocess.Popen([str(Path(sys.executable).with_name("liaison")), "worker", "--queues", "exports",
                                   "--burst"], env=env, stdout=log, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(worker.pid, 0)  # the usage of the worker and the horses it reaped
        worker.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        peak_mb = usage.ru_maxrss / 1024

        from rq.job import Job

        job = Job.fetch(f"export-{export_id}", connection=redis_connection())
        job_s = (job.ended_at - job.started_at).total_seconds() if job.started_at and job.ended_at else float("nan")
        row = db.session.get(Export, export_id)
        ok = worker.returncode == 0 and row.state == ExportState.done
        names: list[str] = []
        if ok:
            with zipfile.ZipFile(export_dir / row.path) as archive:
                ok = archive.testzip() is None
                names = archive.namelist()
        workbooks = sum(n.endswith(".xlsx") for n in names)
        pdfs = sum(n.endswith(".pdf") for n in names)
        expected_pdfs = len(towns)  # one PDF scorecard per town
        ok = ok and workbooks == len(towns) + 1 and pdfs == expected_pdfs
        size = row.size or 0
        db.session.remove()
        if not ok:
            log.seek(0)
            print(log.read()[-4000:])
        print(f"worker exited {worker.returncode}; export {row.state.value}: {workbooks} workbooks and {pdfs} PDFs, "
              f"{size / 1024 / 1024:.1f} MB; the job itself took {job_s:.1f} s (worker log {log.name})")

        # the baseline: the same workbooks, in this process, into memory, no ZIP, no job, no PDF
        start, end = quarter_bounds(year, quarter)
        t = time.perf_counter()
        for town_id in towns:
            with bound_to(town_id) as town, force_locale("zh_Hans_CN"):
                rollup = db.session.scalar(select(Rollup).where(Rollup.town_id == town_id, Rollup.year == year,
                                                                Rollup.quarter == quarter))
                book = new_book()
                scorecard_sheet(book, town, rollup, year, quarter)
                activities_sheet(book, start, end)
                opinions_sheet(book, start, end)
                findings_sheet(book, start, end)
                save(book, io.BytesIO())
        baseline = time.perf_counter() - t

        verdict = "" if elapsed < 20 and peak_mb < 300 else ": missed"
        print(f"exports: {len(towns)} towns' quarter in {elapsed:.1f} s, peak RSS {peak_mb:.0f} MB "
              f"(goal < 20 s, < 300 MB{verdict}); in-process workbooks alone {baseline:.1f} s"
              f"{'' if ok else '  [CHECK FAILED]'}")
    finally:
        db.engine.dispose()
        ctx.pop()
        stack.stop()


if __name__ == "__main__":
    main()
