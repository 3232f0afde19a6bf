"""Daily checkpoint alerts of the five ones (issue #6): a group's missed briefing or
inspection, a finding past its rectification deadline; the town's staff and the group's
leader are told once (DESIGN §4: periodic, fanned out one job per town under a stable id
per town and day)."""

from __future__ import annotations

from datetime import date

from flask import g

from . import fan_out, platform_job, progress, town_job


@town_job
def send_checkpoint_alerts(town_id: int, today: str) -> int:
    """Alert the town's missed checkpoints and overdue findings as of `today`. Idempotent: a
    second run (the same day or later) tells nobody about the same missed period or overdue
    finding again. Returns how many missed periods and overdue findings were newly told."""
    from webapp.projects.alerts import checkpoint_alerts

    return checkpoint_alerts(g.town, date.fromisoformat(today), report=progress).total


@platform_job
def checkpoint_alerts_due(today: str | None = None) -> int:
    """Daily: one checkpoint-alert job per active town."""
    return fan_out(send_checkpoint_alerts, "checkpoint-alerts", today or date.today().isoformat())
