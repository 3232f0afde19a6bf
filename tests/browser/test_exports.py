"""Issue #9: a committee member exports the quarter of its towns from the scorecard, watches
the progress bar reach 100 and downloads the ZIP: one workbook per town and the summary."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from .conftest import ARTIFACTS, ROOT, shot
from .test_demo import sign_in

pytestmark = pytest.mark.browser


def _percent(page) -> int:
    return int(page.inner_text("[data-testid=export-percent]").strip() or 0)


def test_a_committee_exports_its_quarter_watches_it_and_downloads_the_zip(page, demo_server, app, stack):
    from redis import Redis
    from rq import Queue

    from webapp.committees.models import Committee
    from webapp.committees.views import towns_in
    from webapp.extensions import db

    with app.app_context():  # the towns the committee reads, as its pages list them
        from sqlalchemy import select

        committee = db.session.scalar(select(Committee).where(Committee.slug == "lingbao"))
        slugs = sorted(t.slug for t, _county in towns_in(committee))
        db.session.remove()
    assert len(slugs) >= 4

    queue = Queue("exports", connection=Redis.from_url(stack.redis_url))
    sign_in(page, demo_server, "lb_committee")
    page.click("[data-testid=scorecard-link]")
    quarter = page.input_value("[data-testid=export-quarter] input[name=quarter]")
    shot(page, "exports-scorecard-button")
    assert re.fullmatch(r"\d{4}Q[1-4]", quarter)
    page.click("[data-testid=export-quarter] button")
    page.wait_for_url(re.compile(r"/exports/\d+$"))
    export_id = int(page.url.rsplit("/", 1)[1])
    assert page.get_attribute("[data-testid=export]", "data-state") == "queued"
    assert f"export-{export_id}" in queue.job_ids
    shot(page, "exports-queued")

    # the page follows the progress a worker reports (here as the job's reporter writes it, before
    # any worker runs: a real quarter of a few towns is built faster than the page polls)
    from webapp.exports.models import Export, ExportState
    from webapp.exports.services import RowProgress

    with app.app_context():
        db.session.get(Export, export_id).state = ExportState.running
        db.session.commit()
        RowProgress(export_id)(2, 5, "第 2 个镇（共 3 个）：函谷关镇")
        db.session.remove()
    page.wait_for_selector("[data-testid=export-percent]:text-is('40')", timeout=15000)
    assert "函谷关镇" in page.inner_text("[data-testid=export-step]")
    assert page.get_attribute("[data-testid=export-progress]", "value") == "40"
    shot(page, "exports-running")

    # the demo's worker (`make demo` runs one; gunicorn alone does not), started after the click
    env = {**os.environ, "DATABASE_URL": stack.database_url, "REDIS_URL": stack.redis_url}
    log = (ARTIFACTS / "exports-worker.log").open("wb")
    worker = subprocess.Popen([str(Path(sys.executable).with_name("liaison")), "worker", "--queues", "exports",
                               "--burst"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        download = page.locator("[data-testid=export-download]")
        deadline = time.monotonic() + 120
        while not download.count():  # the page polls status.json and reloads once the file is ready
            assert time.monotonic() < deadline, "the export did not finish: " + \
                (ARTIFACTS / "exports-worker.log").read_text(errors="replace")[-2000:]
            time.sleep(0.1)
        assert worker.wait(timeout=60) == 0
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        log.close()

    assert _percent(page) == 100 and page.get_attribute("[data-testid=export-progress]", "value") == "100"
    assert page.get_attribute("[data-testid=export]", "data-state") == "done"
    shot(page, "exports-done")

    with page.expect_download() as info:
        page.click("[data-testid=export-download]")
    path = info.value.path()
    assert info.value.suggested_filename == f"lingbao-{quarter}.zip"
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names[0] == f"summary-{quarter}.xlsx"
        assert sorted(n for n in names[1:] if n.endswith(".xlsx")) == [f"{s}-{quarter}.xlsx" for s in slugs]
        summary = load_workbook(archive.open(names[0]))
        rows = list(summary.active.iter_rows(min_row=3, values_only=True))
        assert len(rows) == len(slugs) and "尹庄镇" in {r[1] for r in rows}
        yinzhuang = load_workbook(archive.open(f"yinzhuang-{quarter}.xlsx"))
        assert len(yinzhuang.sheetnames) == 4

    page.click("text=← ")
    assert f"/exports/{export_id}" in page.inner_html("[data-testid=exports]")
    shot(page, "exports-list")


def test_town_staff_export_a_deputys_file_and_the_ledgers(page, demo_server, app, stack):
    from redis import Redis
    from rq import Queue, SimpleWorker

    queue = Queue("exports", connection=Redis.from_url(stack.redis_url))
    sign_in(page, demo_server, "yz_staff")
    page.goto(demo_server + "/t/yinzhuang/deputies/")
    page.click("table a[href*='/deputies/']")
    deputy_url = page.url.rstrip("/")
    page.goto(deputy_url + "/file")
    page.click("[data-testid=file-export] button[value=deputy_file_xlsx]")
    page.wait_for_url(re.compile(r"/exports/\d+$"))
    with app.app_context():  # the worker of `make demo`, run here until the queue is empty
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    page.locator("[data-testid=export-download]").wait_for(timeout=30000)  # the page reloads when it is ready
    assert page.inner_text("[data-testid=export-percent]") == "100"
    with page.expect_download() as info:
        page.click("[data-testid=export-download]")
    assert re.fullmatch(r"yinzhuang-deputy-\d+-file\.xlsx", info.value.suggested_filename)
    with open(info.value.path(), "rb") as f:
        assert load_workbook(f).sheetnames
    shot(page, "exports-deputy-file")

    page.goto(demo_server + "/t/yinzhuang/exports/")
    page.select_option("#f-year", "all")
    page.click("[data-testid=export-ledgers]")
    page.wait_for_url(re.compile(r"/exports/\d+$"))
    with app.app_context():
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    page.locator("[data-testid=export-download]").wait_for(timeout=60000)
    with page.expect_download() as info:
        page.click("[data-testid=export-download]")
    assert info.value.suggested_filename == "yinzhuang-ledgers-all.xlsx"
    with open(info.value.path(), "rb") as f:
        assert len(load_workbook(f, read_only=True).sheetnames) == 6
    page.goto(demo_server + "/t/yinzhuang/exports/")
    shot(page, "exports-town")
