"""Quarterly rollups (issue #8). Nightly, for every active town, the current quarter
(provisional) and the quarter just finished (frozen the first time it is computed after its
end), in jobs of up to BATCH towns each; on demand, one town's quarter in a job of its own.

A job of many towns computes and writes each town in its own bound session and its own
one-statement write, so a worker killed in the middle leaves every row either old or new,
and the retried job (Retry) recomputes them all. A town that fails inside a batch is handed
to a job of its own, which the operators' page shows and retries like any other."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from flask import g
from rq import Retry

from . import _worker_app, platform_job, progress, queue, town_job

log = logging.getLogger("liaison.jobs.rollups")

#: a job whose worker died (killed, OOM, host lost) is handed back to the queue when RQ finds
#: it abandoned; the single-statement write makes the retry safe
RETRY = Retry(max=3)

#: towns per nightly job. One job per town spent most of its time starting (a fork, new
#: connections, statements compiled cold: ~100 ms for ~15 ms of work); a job of 50 towns
#: pays that once (tests/bench/bench_rollups.py, ADR 0007).
BATCH = 50


def _rollup(town, year: int, quarter: int, day: date, force: bool) -> bool:
    """Compute one quarter of the town the session is bound to, and write its row."""
    from webapp.committees import rollups  # looked up at call time: tests stop the job inside it

    figures = rollups.compute_figures(town, year, quarter, day)
    provisional = day <= rollups.quarter_bounds(year, quarter)[1]
    return rollups.write_rollup(town.id, year, quarter, figures, provisional=provisional, force=force)


@town_job
def rollup_town(town_id: int, year: int, quarter: int, today: str | None = None, force: bool = False) -> bool:
    """Compute the town's figures for the quarter and store them. Idempotent: running it
    again replaces a provisional row and leaves a frozen one (unless `force`)."""
    day = date.fromisoformat(today) if today else date.today()
    progress(0, 1, "figures")
    written = _rollup(g.town, year, quarter, day, force)
    progress(1, 1, "done")
    return written


def _frozen(app, town_ids: list[int], quarters: list[tuple[int, int]]) -> set[tuple[int, int, int]]:
    """The (town, year, quarter) rows among these that are frozen already: nothing to compute."""
    from sqlalchemy import select, tuple_

    from webapp.committees.models import Rollup
    from webapp.extensions import db

    with app.app_context():
        try:
            return set(db.session.execute(select(Rollup.town_id, Rollup.year, Rollup.quarter).where(
                Rollup.town_id.in_(town_ids), tuple_(Rollup.year, Rollup.quarter).in_(quarters),
                Rollup.frozen.is_(True))).tuples())
        finally:
            db.session.remove()


def rollup_towns(town_ids: list[int], quarters: list[tuple[int, int]], today: str | None = None,
                 force: bool = False) -> dict:
    """Roll up these towns' quarters, town after town, each in its own bound session. A
    frozen row is not even computed (unless `force`). Progress counts towns. Returns the
    towns done, the rows written and the towns handed to jobs of their own."""
    from rq.timeouts import JobTimeoutException
    from sqlalchemy.exc import InterfaceError, OperationalError

    from webapp.access import bound_to

    app = _worker_app()
    day = date.fromisoformat(today) if today else date.today()
    quarters = [(int(y), int(q)) for y, q in quarters]
    frozen = set() if force else _frozen(app, town_ids, quarters)
    written, handed_over = 0, []
    progress(0, len(town_ids), "towns")
    for n, town_id in enumerate(town_ids, 1):
        todo = [(y, q) for y, q in quarters if (town_id, y, q) not in frozen]
        try:
            if todo:
                with bound_to(town_id, app) as town:
                    for year, quarter in todo:
                        written += _rollup(town, year, quarter, day, force)
        except (JobTimeoutException, OperationalError, InterfaceError):
            raise  # the job's time is up, or the database is unreachable: the batch is retried whole
        except Exception:
            # one town's bad data must not hold up the others: it gets a job of its own, which
            # is retried, and shown to the operators if it keeps failing
            log.exception("rollup of town %s failed inside a batch; handing it to its own job", town_id)
            with app.app_context():
                for year, quarter in todo:  # the batch counts the town already
                    enqueue_rollup(town_id, year, quarter, day, force, counted=False)
            handed_over.append(town_id)
        progress(n, len(town_ids), "towns")
    return {"towns": len(town_ids), "written": written, "handed_over": handed_over}


@platform_job
def rollups_due(today: str | None = None) -> int:
    """Nightly: for every active town, this quarter (provisional) and the last one, in jobs
    of up to BATCH towns. Returns how many towns."""
    from sqlalchemy import select

    from tenants.models import Town, TownStatus
    from webapp.committees.rollups import previous_quarter, quarter_of
    from webapp.extensions import db

    day = date.fromisoformat(today) if today else date.today()
    current = quarter_of(day)
    towns = db.session.scalars(select(Town.id).where(Town.status == TownStatus.active).order_by(Town.id)).all()
    enqueue_batches(towns, [previous_quarter(*current), current], day)
    progress(len(towns), len(towns), "enqueue")
    return len(towns)


def _run_key(day: date) -> str:
    return f"liaison:rollups:run:{day.isoformat()}"


def _towns_key(day: date) -> str:
    return f"liaison:rollups:run:{day.isoformat()}:towns"


#: how long the operators' page can show a day's run
RUN_KEPT_DAYS = 8


def _quarters_label(quarters: Iterable[tuple[int, int]]) -> str:
    return "_".join(f"{y}Q{q}" for y, q in quarters)


def rollup_job_id(town_id: int, year: int, quarter: int, day: date, force: bool = False) -> str:
    return f"rollup-{town_id}-{year}Q{quarter}-{day.isoformat()}" + ("-force" if force else "")


def batch_job_id(group: int, quarters: list[tuple[int, int]], day: date) -> str:
    return f"rollups-{day.isoformat()}-{_quarters_label(quarters)}-b{group}"


def _record(q, day: date, job_id: str, towns: int) -> None:
    """Add the job to the day's run (the operators' page), with how many towns it holds."""
    with q.connection.pipeline() as pipe:
        pipe.sadd(_run_key(day), job_id)
        pipe.hset(_towns_key(day), job_id, towns)
        for key in (_run_key(day), _towns_key(day)):
            pipe.expire(key, RUN_KEPT_DAYS * 86400)
        pipe.execute()


def enqueue_batches(town_ids: Iterable[int], quarters: list[tuple[int, int]], day: date) -> list[str]:
    """Enqueue these towns' quarters in jobs of up to BATCH towns, grouped by town id (town
    `i` goes with the towns of id `i // BATCH`), so a job's id is stable: a second fan-out
    the same day adds nothing, even when a town joined in between. Returns the job ids."""
    groups: dict[int, list[int]] = {}
    for town_id in sorted(town_ids):
        groups.setdefault(town_id // BATCH, []).append(town_id)
    q, ids = queue("rollups"), []
    for group, members in groups.items():
        job_id = batch_job_id(group, quarters, day)
        if q.fetch_job(job_id) is None:
            q.enqueue(rollup_towns, members, [list(x) for x in quarters], day.isoformat(), job_id=job_id,
                      retry=RETRY, result_ttl=7 * 86400, failure_ttl=30 * 86400, job_timeout=30 * 60,
                      description=f"rollups {_quarters_label(quarters)} of {len(members)} towns")
            _record(q, day, job_id, len(members))
        ids.append(job_id)
    return ids


def enqueue_rollup(town_id: int, year: int, quarter: int, day: date, force: bool = False, *,
                   counted: bool = True) -> str:
    """Enqueue one town's quarter under its stable id (once per town, quarter and day; a
    forced recompute has its own id). `counted`: whether the day's run counts it as a town
    (not when a batch handed it over: the batch counts that town). Returns the job id."""
    job_id = rollup_job_id(town_id, year, quarter, day, force)
    q = queue("rollups")
    existing = q.fetch_job(job_id)
    if existing is None or (force and existing.get_status(refresh=True) in ("finished", "failed", "canceled")):
        if existing is not None:
            existing.delete()  # an operator's second recompute the same day runs again
        q.enqueue(rollup_town, town_id, year, quarter, day.isoformat(), force, job_id=job_id, retry=RETRY,
                  result_ttl=7 * 86400, failure_ttl=30 * 86400)
        _record(q, day, job_id, 1 if counted else 0)
    return job_id


def run_progress(day: date) -> dict:
    """How far the day's rollup jobs have got: jobs by RQ status (one pipelined read per job,
    no payloads), towns done (a running job's from its progress), the percentage of towns
    done, and the failed job ids."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    conn = queue("rollups").connection
    ids = sorted(i.decode() for i in conn.smembers(_run_key(day)))
    weights = {k.decode(): int(v) for k, v in conn.hgetall(_towns_key(day)).items()}  # missing: 1
    with conn.pipeline() as pipe:
        for job_id in ids:
            pipe.hget(f"rq:job:{job_id}", "status")
        statuses = [(s.decode() if s else "expired") for s in pipe.execute()]
    counts: dict[str, int] = {}
    towns = towns_done = 0
    for job_id, status in zip(ids, statuses, strict=True):
        counts[status] = counts.get(status, 0) + 1
        weight = weights.get(job_id, 1)
        towns += weight
        # a job whose record is gone (its result kept past the TTL, or the queue emptied) is not waiting
        if status in ("finished", "failed", "expired"):
            towns_done += weight
        elif status == "started":  # at most one per worker
            try:
                meta = Job.fetch(job_id, connection=conn).meta
            except NoSuchJobError:  # gone since its status was read
                continue
            towns_done += min(weight, int(meta.get("done", 0))) if meta.get("step") == "towns" else 0
    return {"day": day, "jobs": len(ids), "towns": towns, "towns_done": towns_done, "counts": counts,
            "done": counts.get("finished", 0) + counts.get("failed", 0) + counts.get("expired", 0),
            "percent": round(100 * towns_done / towns) if towns else None,
            "failed": [i for i, s in zip(ids, statuses, strict=True) if s == "failed"]}


def describe_job(job_id: str) -> dict | None:
    """What a rollup job covers, for the operators' page: its towns and quarters."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    parts = job_id.split("-")
    try:
        if parts[0] == "rollup":
            year, quarter = parts[2].split("Q")
            return {"towns": [int(parts[1])], "quarters": [(int(year), int(quarter))]}
        if parts[0] == "rollups":
            job = Job.fetch(job_id, connection=queue("rollups").connection)
            return {"towns": list(job.args[0]), "quarters": [tuple(x) for x in job.args[1]]}
    except (IndexError, ValueError, NoSuchJobError):
        return None
    return None
