"""The town's opinion figures: one service for the pages, the deputy's file and (issue #8)
the quarterly rollup. One query with GROUPING SETS computes the totals and every breakdown."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, literal_column, select, text

from ..extensions import db
from .models import Kind, Opinion, Satisfaction, State

_RESOLVED = (State.answered.value, State.feedback_given.value, State.closed.value)
_ACCEPTED = _RESOLVED + (State.accepted.value, State.assigned.value, State.in_progress.value, State.reopened.value)


@dataclass
class Figures:
    received: int = 0
    accepted: int = 0
    resolved: int = 0
    answered_with_deadline: int = 0
    on_time: int = 0
    closed: int = 0
    days_to_close: float | None = None
    rated: int = 0
    satisfied: int = 0  #: satisfied or basically satisfied
    fully_satisfied: int = 0

    @property
    def on_time_pct(self) -> float | None:
        return round(100 * self.on_time / self.answered_with_deadline, 1) if self.answered_with_deadline else None

    @property
    def satisfaction_pct(self) -> float | None:
        return round(100 * self.satisfied / self.rated, 1) if self.rated else None

    @property
    def resolved_pct(self) -> float | None:
        return round(100 * self.resolved / self.accepted, 1) if self.accepted else None


@dataclass
class Statistics:
    start: date
    end: date
    kind: Kind
    total: Figures = field(default_factory=Figures)
    by_channel: dict[str, Figures] = field(default_factory=dict)
    by_category: dict[int | None, Figures] = field(default_factory=dict)
    by_unit: dict[int | None, Figures] = field(default_factory=dict)
    by_deputy: dict[int | None, Figures] = field(default_factory=dict)
    by_month: dict[str, Figures] = field(default_factory=dict)


_DIMENSIONS = ("channel", "category_id", "unit_id", "deputy_id", "month")


def statistics(start: date, end: date, *, kind: Kind = Kind.opinion, deputy_id: int | None = None) -> Statistics:
    """Figures for opinions (or suggestions) received between `start` and `end` inclusive."""
    o = Opinion.__table__.c
    state = o.state
    month_sql = "to_char(received_on, 'YYYY-MM')"
    month = literal_column(month_sql)
    measures = [
        func.count().label("received"),
        func.count().filter(state.in_(_ACCEPTED)).label("accepted"),
        func.count().filter(state.in_(_RESOLVED)).label("resolved"),
        func.count().filter(o.answered_on.is_not(None), o.due_on.is_not(None)).label("answered_with_deadline"),
        func.count().filter(o.answered_on <= o.due_on).label("on_time"),
        func.count().filter(state == State.closed.value).label("closed"),
        func.avg(o.closed_on - o.received_on).filter(state == State.closed.value).label("days_to_close"),
        func.count().filter(o.satisfaction.is_not(None)).label("rated"),
        func.count().filter(o.satisfaction.in_((Satisfaction.satisfied.value, Satisfaction.basically.value)))
        .label("satisfied"),
        func.count().filter(o.satisfaction == Satisfaction.satisfied.value).label("fully_satisfied"),
    ]
    grouping = [func.grouping(c).label(f"g_{name}") for name, c in
                (("channel", o.channel), ("category_id", o.category_id), ("unit_id", o.unit_id),
                 ("deputy_id", o.deputy_id), ("month", month))]
    # the same SQL text in SELECT and GROUP BY (a bound 'YYYY-MM' parameter would not match)
    query = (select(o.channel, o.category_id, o.unit_id, o.deputy_id, month.label("month"), *grouping, *measures)
             .select_from(Opinion.__table__)
             .where(o.kind == kind.value, o.received_on.between(start, end), state != State.merged.value)
             .group_by(text(f"GROUPING SETS ((), (channel), (category_id), (unit_id), (deputy_id), ({month_sql}))")))
    if deputy_id is not None:
        query = query.where(o.deputy_id == deputy_id)
    result = Statistics(start, end, kind)
    targets = {"channel": result.by_channel, "category_id": result.by_category, "unit_id": result.by_unit,
               "deputy_id": result.by_deputy, "month": result.by_month}
    for row in db.session.execute(query):
        figures = Figures(row.received, row.accepted, row.resolved, row.answered_with_deadline, row.on_time,
                          row.closed, round(float(row.days_to_close), 1) if row.days_to_close is not None else None,
                          row.rated, row.satisfied, row.fully_satisfied)
        grouped = [name for name in _DIMENSIONS if getattr(row, f"g_{name}") == 0]
        if not grouped:
            result.total = figures
        else:
            key = getattr(row, grouped[0])
            targets[grouped[0]][getattr(key, "value", key)] = figures  # an enum (channel) by its value
    result.by_month = dict(sorted(result.by_month.items()))
    return result
