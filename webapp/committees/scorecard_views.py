"""The committee's scorecard: every town of the jurisdiction for a quarter, sorted by score,
with the trend of the last quarters, the distribution across towns, and a comparison with
another quarter. Towns open read-only from here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import g, render_template, request, url_for
from flask_babel import format_datetime, gettext

from . import bp
from .rollups import committee_scores, previous_quarter, quarter_of

def _parse(value: str | None, default: tuple[int, int]) -> tuple[int, int]:
    try:
        year, quarter = value.upper().split("Q")
        parsed = int(year), int(quarter)
        return parsed if 1 <= parsed[1] <= 4 and 2000 <= parsed[0] <= 2100 else default
    except (AttributeError, ValueError):
        return default


def _per_town(endpoint: str) -> Callable[[str], str]:
    """url_for(endpoint, town=slug) for many towns: built once, the slug put in per town (a
    slug is [a-z0-9_], never quoted)."""
    sample = url_for(endpoint, town="__town__")
    return lambda slug: sample.replace("__town__", slug)


@bp.get("/scorecard")
def scorecard_view():
    from .views import towns_in

    current = _parse(request.args.get("quarter"), quarter_of(date.today()))
    compare = _parse(request.args.get("compare"), previous_quarter(*current))
    trend = [current]
    for _ in range(3):
        trend.insert(0, previous_quarter(*trend[0]))
    towns = towns_in(g.committee)
    scores = committee_scores([t.id for t, _c in towns], list({*trend, compare}))
    home, notice = _per_town("towns.home"), _per_town("committees.new_notice")
    as_of: dict = {}  # "short" shows the minute: each minute formatted once
    lines = []
    for town, county in towns:
        card = scores.get((town.id, *current))
        before = scores.get((town.id, *compare))
        history = [(q, scores[(town.id, *q)].score if (town.id, *q) in scores else None) for q in trend]
        line = {"town": town, "county": county, "card": card, "compare": before.score if before else None,
                "trend": history, "home_url": home(town.slug), "notice_url": notice(town.slug)}
        if card:
            minute = card.computed_at.replace(second=0, microsecond=0)
            if minute not in as_of:
                as_of[minute] = format_datetime(minute, "short")
            line["as_of"] = as_of[minute]
        lines.append(line)
    lines.sort(key=lambda line: (line["card"] is None, -(line["card"].score or 0) if line["card"] else 0,
                                 line["town"].name))
    buckets = [0] * 5  # 0-19, 20-39, ... 80-100
    for line in lines:
        if line["card"] and line["card"].score is not None:
            buckets[min(line["card"].score // 20, 4)] += 1
    quarters = _choices(current)
    names = {q: gettext("Q%(n)d %(year)d", n=q[1], year=q[0]) for q in {*quarters, *trend, compare}}
    return render_template("committees/scorecard.html", lines=lines, current=current, compare=compare, trend=trend,
                           buckets=buckets, quarters=quarters, quarter_names=names)


def _choices(current: tuple[int, int]) -> list[tuple[int, int]]:
    out = [current]
    for _ in range(7):
        out.append(previous_quarter(*out[-1]))
    return out
