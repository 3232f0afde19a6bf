"""The committee's scorecard: every town of the jurisdiction for a quarter, sorted by score,
with the trend of the last quarters, the distribution across towns, and a comparison with
another quarter. Towns open read-only from here."""

from __future__ import annotations

from datetime import date

from flask import g, render_template, request

from . import bp
from .rollups import committee_rollups, previous_quarter, quarter_of, scorecard


def _parse(value: str | None, default: tuple[int, int]) -> tuple[int, int]:
    try:
        year, quarter = value.upper().split("Q")
        parsed = int(year), int(quarter)
        return parsed if 1 <= parsed[1] <= 4 and 2000 <= parsed[0] <= 2100 else default
    except (AttributeError, ValueError):
        return default


@bp.get("/scorecard")
def scorecard_view():
    from .views import towns_in

    current = _parse(request.args.get("quarter"), quarter_of(date.today()))
    compare = _parse(request.args.get("compare"), previous_quarter(*current))
    trend = [current]
    for _ in range(3):
        trend.insert(0, previous_quarter(*trend[0]))
    towns = towns_in(g.committee)
    rows = committee_rollups([t.id for t, _c in towns], list({*trend, compare}))
    lines = []
    for town, county in towns:
        row = rows.get((town.id, *current))
        card = scorecard(row.figures) if row else None
        before = rows.get((town.id, *compare))
        before_score = scorecard(before.figures)["score"] if before else None
        history = [(q, scorecard(rows[(town.id, *q)].figures)["score"] if (town.id, *q) in rows else None)
                   for q in trend]
        lines.append({"town": town, "county": county, "row": row, "card": card, "compare": before_score,
                      "trend": history})
    lines.sort(key=lambda line: (line["card"] is None, -(line["card"]["score"] or 0) if line["card"] else 0,
                                 line["town"].name))
    buckets = [0] * 5  # 0-19, 20-39, ... 80-100
    for line in lines:
        if line["card"] and line["card"]["score"] is not None:
            buckets[min(line["card"]["score"] // 20, 4)] += 1
    return render_template("committees/scorecard.html", lines=lines, current=current, compare=compare, trend=trend,
                           buckets=buckets, quarters=_choices(current))


def _choices(current: tuple[int, int]) -> list[tuple[int, int]]:
    out = [current]
    for _ in range(7):
        out.append(previous_quarter(*out[-1]))
    return out
