"""Recomputing an open evaluation year from the town's records (issue #7): an RQ job with
progress, idempotent (computed rows are replaced, entered scores and objections stay)."""

from __future__ import annotations

from . import progress, town_job


@town_job
def recompute_year(town_id: int, year_id: int) -> int:
    """Recompute every computed indicator of the year for its serving deputies. A closed year
    (or one that is gone) is left as it is: returns 0. Returns the deputies computed."""
    from webapp.evaluations.models import EvaluationYear, YearState
    from webapp.evaluations.services import compute
    from webapp.extensions import db

    year = db.session.get(EvaluationYear, year_id)
    if year is None or year.state != YearState.open:
        return 0
    computed = compute(year, progress=progress)
    db.session.commit()
    return computed
