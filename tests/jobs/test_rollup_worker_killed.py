"""Issue #8: a rollup worker killed in the middle of a job (a town's own, or the nightly job of
many towns), worker and work horse SIGKILLed either after computing or inside the still-open
write transaction, leaves the stored row exactly as it was, never a partial one; RQ then finds
the job abandoned and requeues it (Retry), and a plain `liaison worker` completes it with the
full new figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import psycopg
import pytest
from redis import Redis
from rq import Queue
from rq.job import Job
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from jobs.rollups import enqueue_batches, enqueue_rollup, rollup_town
from webapp.access import bound_to
from webapp.committees.models import Rollup
from webapp.committees.rollups import compute_figures
from webapp.extensions import db
from webapp.opinions.models import Channel
from webapp.opinions.services import create_opinion

from ..conftest import burst_worker, empty_queue, kill_group, requeue_abandoned, wait_for

YEAR, QUARTER, TODAY = 2036, 2, "2036-05-20"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


@pytest.fixture()
def rollups_queue(app, stack):
    q = Queue("rollups", connection=Redis.from_url(stack.redis_url))
    empty_queue(q)
    yield q
    empty_queue(q)


def _row(app, town_id):
    with app.app_context():
        rows = db.session.scalars(select(Rollup).where(Rollup.town_id == town_id, Rollup.year == YEAR,
                                                       Rollup.quarter == QUARTER)).all()
        out = [(r.id, r.figures, r.computed_at, r.provisional, r.frozen) for r in rows]
        db.session.remove()
    assert len(out) == 1, out
    return out[0]


def _row_locked(app, town_id) -> bool:
    with app.app_context(), db.engine.connect() as conn:
        try:
            conn.execute(select(Rollup.id).where(Rollup.town_id == town_id, Rollup.year == YEAR,
                                                 Rollup.quarter == QUARTER).with_for_update(nowait=True)).all()
        except OperationalError as exc:
            assert isinstance(exc.orig, psycopg.errors.LockNotAvailable), exc
            return True
        finally:
            conn.rollback()
    return False


def _backend_alive(app, backend_pid: int) -> bool:
    with app.app_context(), db.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p"), {"p": backend_pid}).scalar() > 0


@pytest.mark.parametrize("stop_at", ["computed", "in_transaction"])
@pytest.mark.parametrize("kind", ["town", "batch"])
def test_a_killed_rollup_worker_leaves_the_old_row_and_the_retry_completes(app, world, stack, rollups_queue,
                                                                           tmp_path, stop_at, kind):
    town_id, day = world.town_c, date.fromisoformat(TODAY)
    with app.app_context():
        assert rollup_town(town_id, YEAR, QUARTER, TODAY) is True
    old = _row(app, town_id)
    with app.app_context(), bound_to(town_id):
        create_opinion(actor=None, actor_name="测试", data={"channel": Channel.visit, "title": f"中断测试{stop_at}",
                                                            "text": "内容", "received_on": date(YEAR, 5, 10)})
    with app.app_context():
        if kind == "town":  # an operator's recompute, or a town handed over by its batch
            job_id = enqueue_rollup(town_id, YEAR, QUARTER, day)
        else:  # the nightly run's job of many towns
            [job_id] = enqueue_batches([town_id], [(YEAR, QUARTER)], day)
    assert rollups_queue.job_ids == [job_id]

    env = {**os.environ, "DATABASE_URL": stack.database_url, "REDIS_URL": stack.redis_url, "PYTHONUNBUFFERED": "1"}
    marker, log = tmp_path / "stopped.json", tmp_path / "worker.log"
    worker = horse = None
    try:
        with log.open("w") as out:
            worker = subprocess.Popen([sys.executable, str(HERE / "killable_worker.py"), stop_at, str(marker)],
                                      cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: marker.exists() or worker.poll() is not None, 30, "the job to reach the stop", log)
        assert marker.exists(), f"the worker exited ({worker.returncode}) first:\n{log.read_text()[-3000:]}"
        stopped = json.loads(marker.read_text())
        horse = stopped["pid"]
        assert horse != worker.pid
        # inside the write transaction the UPSERT holds the row's lock; after computing, nothing does
        assert _row_locked(app, town_id) is (stop_at == "in_transaction")

        kill_group(worker.pid)
        kill_group(horse)  # the horse runs in a process group of its own (rq calls setpgrp)
        worker.wait(timeout=10)
        wait_for(lambda: not _backend_alive(app, stopped["backend_pid"]), 10, "the horse's session to end", log)
    finally:
        kill_group(worker.pid if worker else None)
        kill_group(horse)

    assert _row(app, town_id) == old  # same figures, same computed_at: the old row, whole

    job = Job.fetch(job_id, connection=rollups_queue.connection)
    started = rollups_queue.started_job_registry
    assert job.get_status() == "started" and job_id in started and rollups_queue.count == 0
    started.cleanup()  # as a live worker would, right away: the heartbeat has not expired yet
    assert job.get_status(refresh=True) == "started" and rollups_queue.count == 0
    job = requeue_abandoned(rollups_queue, job_id)  # once the heartbeat has expired
    assert job.get_status() == "queued" and job.retries_left == 2 and rollups_queue.job_ids == [job_id]

    burst_worker("rollups", env, log, timeout=40)
    job.refresh()
    finished = {"town": True, "batch": {"towns": 1, "written": 1, "handed_over": []}}[kind]
    assert job.get_status() == "finished" and job.return_value() == finished, log.read_text()[-3000:]
    _id, figures, computed_at, provisional, frozen = new = _row(app, town_id)
    with app.app_context(), bound_to(town_id) as town:
        expected = compute_figures(town, YEAR, QUARTER, day)
        db.session.rollback()
    assert figures == expected and figures != old[1]
    assert figures["opinions"]["received"] == old[1]["opinions"]["received"] + 1
    assert computed_at > old[2] and provisional and not frozen and new[0] == old[0]
