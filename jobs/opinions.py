"""Daily urges (催办) of overdue and nearly-due opinions (DESIGN §4: periodic, fanned out one
job per town under a stable id per town and day)."""

from __future__ import annotations

from datetime import date

from flask import g

from . import fan_out, platform_job, progress, town_job


@town_job
def send_opinion_urges(town_id: int, today: str) -> int:
    """Urge the town's overdue and nearly-due opinions for `today`. Idempotent: a second
    run the same day urges and tells nobody again. Returns how many were urged."""
    from webapp.opinions.services import urge_due

    progress(0, 1, "urges")
    urged = urge_due(g.town, date.fromisoformat(today))
    progress(1, 1, "urges")
    return urged


@platform_job
def opinion_urges_due(today: str | None = None) -> int:
    """Daily: one urge job per active town."""
    return fan_out(send_opinion_urges, "opinion-urges", today or date.today().isoformat())
