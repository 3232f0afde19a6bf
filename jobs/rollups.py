"""Quarterly rollups (issue #8): one job per town and quarter; nightly, the current quarter
(provisional) and the quarter just finished (frozen the first time it is computed after its
end) for every active town, under stable job ids."""

from __future__ import annotations

from datetime import date

from flask import g
from rq import Retry

from . import platform_job, progress, queue, town_job

#: a job whose worker died (killed, OOM, host lost) is handed back to the queue when RQ finds
#: it abandoned; the single-statement write makes the retry safe
RETRY = Retry(max=3)


@town_job
def rollup_town(town_id: int, year: int, quarter: int, today: str | None = None, force: bool = False) -> bool:
    """Compute the town's figures for the quarter and store them. Idempotent: running it
    again replaces a provisional row and leaves a frozen one (unless `force`)."""
    from webapp.committees.rollups import compute_figures, quarter_bounds, write_rollup

    day = date.fromisoformat(today) if today else date.today()
    progress(0, 2, "figures")
    figures = compute_figures(g.town, year, quarter, day)
    progress(1, 2, "write")
    written = write_rollup(town_id, year, quarter, figures, provisional=day <= quarter_bounds(year, quarter)[1],
                           force=force)
    progress(2, 2, "done")
    return written


@platform_job
def rollups_due(today: str | None = None) -> int:
    """Nightly: for every active town, this quarter (provisional) and the last one."""
    from sqlalchemy import select

    from tenants.models import Town, TownStatus
    from webapp.committees.rollups import previous_quarter, quarter_of
    from webapp.extensions import db

    day = date.fromisoformat(today) if today else date.today()
    current = quarter_of(day)
    towns = db.session.scalars(select(Town.id).where(Town.status == TownStatus.active)).all()
    for n, town_id in enumerate(towns):
        for year, quarter in (previous_quarter(*current), current):
            enqueue_rollup(town_id, year, quarter, day)
        if n % 100 == 0:
            progress(n, len(towns), "enqueue")
    progress(len(towns), len(towns), "enqueue")
    return len(towns)


def _run_key(day: date) -> str:
    return f"liaison:rollups:run:{day.isoformat()}"


#: how long the operators' page can show a day's run
RUN_KEPT_DAYS = 8


def rollup_job_id(town_id: int, year: int, quarter: int, day: date, force: bool = False) -> str:
    return f"rollup-{town_id}-{year}Q{quarter}-{day.isoformat()}" + ("-force" if force else "")


def enqueue_rollup(town_id: int, year: int, quarter: int, day: date, force: bool = False) -> str:
    """Enqueue one town's quarter under its stable id (once per town, quarter and day; a
    forced recompute has its own id). Returns the job id."""
    job_id = rollup_job_id(town_id, year, quarter, day, force)
    q = queue("rollups")
    existing = q.fetch_job(job_id)
    if existing is None or (force and existing.get_status(refresh=True) in ("finished", "failed", "canceled")):
        if existing is not None:
            existing.delete()  # an operator's second recompute the same day runs again
        q.enqueue(rollup_town, town_id, year, quarter, day.isoformat(), force, job_id=job_id, retry=RETRY,
                  result_ttl=7 * 86400, failure_ttl=30 * 86400)
        with q.connection.pipeline() as pipe:
            pipe.sadd(_run_key(day), job_id)
            pipe.expire(_run_key(day), RUN_KEPT_DAYS * 86400)
            pipe.execute()
    return job_id


def run_progress(day: date) -> dict:
    """How far the day's rollup jobs have got: counts by RQ status (one pipelined read per
    job, no payloads), the percentage done, and the failed job ids."""
    conn = queue("rollups").connection
    ids = sorted(i.decode() for i in conn.smembers(_run_key(day)))
    with conn.pipeline() as pipe:
        for job_id in ids:
            pipe.hget(f"rq:job:{job_id}", "status")
        statuses = [(s.decode() if s else "expired") for s in pipe.execute()]
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    # a job whose record is gone (its result kept past the TTL, or the queue emptied) is not waiting
    done = counts.get("finished", 0) + counts.get("failed", 0) + counts.get("expired", 0)
    return {"day": day, "jobs": len(ids), "counts": counts, "done": done,
            "percent": round(100 * done / len(ids)) if ids else None,
            "failed": [i for i, s in zip(ids, statuses, strict=True) if s == "failed"]}


def parse_job_id(job_id: str) -> tuple[int, int, int] | None:
    """(town_id, year, quarter) of a rollup job id, or None."""
    parts = job_id.split("-")
    try:
        year, quarter = parts[2].split("Q")
        return int(parts[1]), int(year), int(quarter)
    except (IndexError, ValueError):
        return None
