"""Quarterly rollups (issue #8): one job per town and quarter; nightly, the current quarter
(provisional) and the quarter just finished (frozen the first time it is computed after its
end) for every active town, under stable job ids."""

from __future__ import annotations

from datetime import date

from flask import g

from . import platform_job, progress, queue, town_job


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
    q = queue("rollups")
    for town_id in towns:
        for year, quarter in (previous_quarter(*current), current):
            job_id = f"rollup-{town_id}-{year}Q{quarter}-{day.isoformat()}"
            if q.fetch_job(job_id) is None:
                q.enqueue(rollup_town, town_id, year, quarter, day.isoformat(), job_id=job_id,
                          result_ttl=7 * 86400, failure_ttl=30 * 86400)
    return len(towns)
