"""Quarterly rollups: one row per town and quarter in the platform schema, computed from the
areas' own services (statistics, cadence, checkpoints, the findings ledger), so a committee
compares towns by the same figures each town sees on its pages.

Writing is one UPSERT statement in its own transaction: a worker killed while computing
leaves the old row; a row is either the old one or the new one. A finished quarter's row is
frozen the first time it is computed after the quarter's end (`force` recomputes it); the
current quarter's row is provisional and replaced on every run."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, union
from sqlalchemy.dialects.postgresql import insert

from ..extensions import db
from .models import Rollup


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    last_month = quarter * 3
    return date(year, last_month - 2, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def _figures(stats) -> dict[str, Any]:
    t = stats.total
    return {"received": t.received, "accepted": t.accepted, "resolved": t.resolved, "on_time": t.on_time,
            "answered_with_deadline": t.answered_with_deadline, "on_time_pct": t.on_time_pct,
            "closed": t.closed, "days_to_close": t.days_to_close, "rated": t.rated, "satisfied": t.satisfied,
            "satisfaction_pct": t.satisfaction_pct}


def compute_figures(town, year: int, quarter: int, today: date | None = None) -> dict[str, Any]:
    """The town's figures for the quarter (the session must be bound to the town). For the
    current quarter, everything is as of `today`."""
    from ..activities.models import Activity, ActivityInvitee
    from ..activities.services import cadence
    from ..deputies.models import Deputy, DeputyStatus
    from ..evaluations.models import EvaluationYear
    from ..opinions.models import Kind
    from ..opinions.stats import statistics
    from ..projects.models import Finding, FindingState, SupervisionRecord, record_attendees
    from ..projects.services import period_end, missed_checkpoints
    from ..receptions.models import ReceptionDay, RotaEntry

    today = today or date.today()
    start, end = quarter_bounds(year, quarter)
    until = min(end, today)
    figures: dict[str, Any] = {"period": {"start": start.isoformat(), "end": end.isoformat(),
                                          "as_of": until.isoformat()}}
    figures["opinions"] = _figures(statistics(start, end, kind=Kind.opinion))
    figures["suggestions"] = _figures(statistics(start, end, kind=Kind.suggestion))
    # the year's cadence up to the quarter's end: expected periods against those met
    figures["cadence"] = [{"code": row.kind.code, "cadence": row.kind.cadence.value, "periods": row.periods,
                           "expected": row.expected, "held": row.held, "met": row.met}
                          for row in cadence(year, today=until)]
    # the rest in one statement, one scalar subquery per figure (one round trip instead of nine)
    def count(*where, join=None):
        query = select(func.count()).select_from(where[0] if join is None else join)
        return query.where(*where[1:]).scalar_subquery()

    reception_days = (ReceptionDay.held, ReceptionDay.day.between(start, end))
    active = union(  # deputies who took part in anything in the quarter
        select(ActivityInvitee.deputy_id).join(Activity).where(
            ActivityInvitee.checked_in_at.is_not(None), Activity.day.between(start, end)),
        select(RotaEntry.deputy_id).join(ReceptionDay, ReceptionDay.id == RotaEntry.reception_day_id).where(
            RotaEntry.attended.is_(True), ReceptionDay.day.between(start, end)),
        select(record_attendees.c.deputy_id).join(
            SupervisionRecord, SupervisionRecord.id == record_attendees.c.record_id).where(
            SupervisionRecord.day.between(start, end)))
    row = db.session.execute(select(
        count(ReceptionDay, *reception_days).label("days_held"),
        select(func.coalesce(func.sum(ReceptionDay.constituents_received), 0)).where(*reception_days)
        .scalar_subquery().label("received"),
        count(Finding, SupervisionRecord.day.between(start, end), join=Finding.__table__.join(
            SupervisionRecord.__table__, SupervisionRecord.id == Finding.record_id)).label("found"),
        count(Finding, Finding.rectified_on.between(start, end)).label("rectified"),
        # Finding.overdue(until), counted in SQL
        count(Finding, Finding.state.in_((FindingState.found, FindingState.assigned)), Finding.due_on.is_not(None),
              Finding.due_on < until).label("overdue"),
        count(Deputy, Deputy.status == DeputyStatus.serving).label("serving"),
        count(Deputy, Deputy.status == DeputyStatus.serving, Deputy.id.in_(active)).label("active"),
        select(EvaluationYear.state).where(EvaluationYear.year == year).scalar_subquery().label("evaluation"),
    )).one()
    figures["reception"] = {"days_held": row.days_held, "constituents_received": int(row.received)}
    figures["findings"] = {"found": row.found, "rectified": row.rectified, "overdue": row.overdue}
    missed = [m for m in missed_checkpoints(town, year, until)
              if start < period_end(m.cadence, m.year, m.period) <= end + timedelta(days=1)]
    figures["checkpoints_missed"] = {"briefing": sum(m.kind.value == "briefing" for m in missed),
                                     "inspection": sum(m.kind.value == "inspection" for m in missed)}
    figures["deputies"] = {"serving": row.serving, "active": row.active,
                           "participation_pct": round(100 * row.active / row.serving, 1) if row.serving else None}
    figures["evaluation"] = row.evaluation.value if row.evaluation is not None else None
    figures["expectations"] = expectations_of(town.settings)
    return figures


def write_rollup(town_id: int, year: int, quarter: int, figures: dict[str, Any], *, provisional: bool,
                 force: bool = False) -> bool:
    """Store the row in one statement, in its own transaction. A frozen row is replaced only
    when `force`. Returns whether the row was written."""
    table = Rollup.__table__
    statement = insert(table).values(town_id=town_id, year=year, quarter=quarter, figures=figures,
                                     provisional=provisional, frozen=not provisional, computed_at=func.now())
    statement = statement.on_conflict_do_update(
        index_elements=["town_id", "year", "quarter"],
        set_={"figures": statement.excluded.figures, "provisional": statement.excluded.provisional,
              "frozen": statement.excluded.frozen, "computed_at": func.now()},
        where=(table.c.frozen.is_(False)) if not force else None,
    ).returning(table.c.id)
    with db.engine.begin() as conn:
        return conn.execute(statement).scalar() is not None


# --- the compliance scorecard ------------------------------------------------------------------

#: what each expectation needs to be met, and partly met: percentages at least, counts at most.
#: A town's template may set its own (settings "compliance"); each rollup row keeps the ones it
#: was scored by, so a frozen quarter reads the same after the template changes.
DEFAULT_EXPECTATIONS = {"on_time_pct": [90, 70], "satisfaction_pct": [90, 75], "participation_pct": [80, 50],
                        "findings_overdue": [0, 2], "checkpoints_missed": [0, 1]}
PERCENT_EXPECTATIONS = ("on_time_pct", "satisfaction_pct", "participation_pct")
#: kept for readers of the percentages' defaults
THRESHOLDS = {k: tuple(v) for k, v in DEFAULT_EXPECTATIONS.items() if k in PERCENT_EXPECTATIONS}


def expectations_of(settings: dict[str, Any] | None) -> dict[str, list]:
    """The town's compliance expectations: its template's, over the defaults."""
    own = (settings or {}).get("compliance") or {}
    return {key: list(own.get(key, default)) for key, default in DEFAULT_EXPECTATIONS.items()}


def _level(value, met_at, partly_at) -> str | None:
    if value is None:
        return None
    return "met" if value >= met_at else "partly" if value >= partly_at else "missed"


def scorecard(figures: dict[str, Any]) -> dict[str, Any]:
    """Each expectation met / partly / missed, a score out of 100 (met 1, partly ½) and
    red / amber / green, from one rollup row's figures."""
    expect = {**DEFAULT_EXPECTATIONS, **(figures.get("expectations") or {})}
    items: list[dict[str, Any]] = []
    for row in figures.get("cadence", []):
        if row["expected"] <= 0 or row["periods"] <= 0:
            continue
        level = "met" if row["met"] == row["periods"] else "partly" if row["met"] > 0 else "missed"
        items.append({"key": f"cadence:{row['code']}", "level": level, "value": f"{row['met']}/{row['periods']}"})
    opinions = figures.get("opinions", {})
    for key in ("on_time_pct", "satisfaction_pct"):
        level = _level(opinions.get(key), *expect[key])
        if level:
            items.append({"key": f"opinions:{key}", "level": level, "value": opinions.get(key),
                          "target": expect[key][0]})

    def at_most(value, met_at, partly_at) -> str:
        return "met" if value <= met_at else "partly" if value <= partly_at else "missed"

    overdue = figures.get("findings", {}).get("overdue", 0)
    items.append({"key": "findings:overdue", "level": at_most(overdue, *expect["findings_overdue"]), "value": overdue,
                  "target": expect["findings_overdue"][0]})
    missed = sum(figures.get("checkpoints_missed", {}).values())
    items.append({"key": "checkpoints", "level": at_most(missed, *expect["checkpoints_missed"]), "value": missed,
                  "target": expect["checkpoints_missed"][0]})
    level = _level(figures.get("deputies", {}).get("participation_pct"), *expect["participation_pct"])
    if level:
        items.append({"key": "deputies:participation_pct", "level": level,
                      "value": figures["deputies"]["participation_pct"], "target": expect["participation_pct"][0]})
    points = sum(1 if i["level"] == "met" else 0.5 if i["level"] == "partly" else 0 for i in items)
    score = round(100 * points / len(items)) if items else None
    rag = None if score is None else "green" if score >= 80 else "amber" if score >= 60 else "red"
    return {"items": items, "score": score, "rag": rag}


def committee_rollups(town_ids: list[int], quarters: list[tuple[int, int]]) -> dict[tuple[int, int, int], Rollup]:
    """The stored rows of these towns for these quarters, keyed (town_id, year, quarter)."""
    from sqlalchemy import tuple_

    if not town_ids or not quarters:
        return {}
    rows = db.session.scalars(select(Rollup).where(Rollup.town_id.in_(town_ids),
                                                    tuple_(Rollup.year, Rollup.quarter).in_(quarters)))
    return {(r.town_id, r.year, r.quarter): r for r in rows}


@dataclass(frozen=True)
class Scored:
    """A stored row as the scorecard page shows it: when, whether provisional, and its card in
    brief (score, red/amber/green, how many expectations at each level)."""

    computed_at: datetime
    provisional: bool
    score: int | None
    rag: str | None
    levels: tuple[tuple[str, int], ...]  #: (level, count) for met, partly, missed, the counts > 0


#: each stored row's brief card, by (row id, computed_at): a row's figures change only when it is
#: written again, which stamps a new computed_at, so a card once computed holds until then
#: (per process, cleared when full)
_SCORED: dict[tuple[int, datetime], tuple[int | None, str | None, tuple]] = {}
_SCORED_MAX = 50_000


def _brief(figures: dict[str, Any]) -> tuple[int | None, str | None, tuple]:
    card = scorecard(figures)
    levels = tuple((level, n) for level in ("met", "partly", "missed")
                   if (n := sum(1 for item in card["items"] if item["level"] == level)))
    return card["score"], card["rag"], levels


def committee_scores(town_ids: list[int], quarters: list[tuple[int, int]]) -> dict[tuple[int, int, int], Scored]:
    """The scorecards of the stored rows of these towns for these quarters, keyed (town_id, year,
    quarter): what `scorecard(row.figures)` gives for each row of `committee_rollups`, the
    figures read (and scored) only for rows not seen since they were last written."""
    from sqlalchemy import tuple_

    if not town_ids or not quarters:
        return {}
    t = Rollup.__table__.c
    where = (t.town_id.in_(town_ids), tuple_(t.year, t.quarter).in_(quarters))
    rows = db.session.execute(select(t.id, t.town_id, t.year, t.quarter, t.provisional, t.computed_at)
                              .where(*where)).all()
    unseen = [r.id for r in rows if (r.id, r.computed_at) not in _SCORED]
    fresh = {}
    if unseen:  # rewritten since (or never) scored here: read those rows whole, as they are now
        for r in db.session.execute(select(t.id, t.provisional, t.computed_at, t.figures).where(t.id.in_(unseen))):
            if len(_SCORED) >= _SCORED_MAX:
                _SCORED.clear()
            _SCORED[(r.id, r.computed_at)] = brief = _brief(r.figures)
            fresh[r.id] = Scored(r.computed_at, r.provisional, *brief)
    out = {}
    for r in rows:
        brief = _SCORED.get((r.id, r.computed_at))
        scored = Scored(r.computed_at, r.provisional, *brief) if brief is not None else fresh.get(r.id)
        if scored is not None:  # None: deleted meanwhile
            out[(r.town_id, r.year, r.quarter)] = scored
    return out
