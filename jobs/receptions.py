"""Reception-day notices a week ahead (DESIGN §4: periodic, fanned out one job per town)."""

from __future__ import annotations

from datetime import date

from flask import g

from . import fan_out, platform_job, progress, town_job


@town_job
def send_reception_notices(town_id: int, today: str) -> int:
    """Tell the deputies on duty in the coming week who have not been told. Idempotent:
    a second run the same day tells nobody twice. Returns how many were told."""
    from webapp.receptions.services import days_due_for_notice, notify_day

    days = days_due_for_notice(date.fromisoformat(today))
    told = 0
    for n, day in enumerate(days, 1):
        told += notify_day(g.town, day)
        progress(n, len(days), day.day.isoformat())
    return told


@platform_job
def reception_notices_due(today: str | None = None) -> int:
    """Daily: one notice job per active town, under a stable id per town and day."""
    return fan_out(send_reception_notices, "reception-notices", today or date.today().isoformat())
