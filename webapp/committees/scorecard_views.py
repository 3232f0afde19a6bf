"""The committee's scorecard: every town of the jurisdiction for a quarter, sorted by score,
with the trend of the last quarters, the distribution across towns, and a comparison with
another quarter. Towns open read-only from here."""

from __future__ import annotations

import contextlib
import re
from collections import OrderedDict
from collections.abc import Callable
from datetime import date

from flask import g, render_template, request, url_for
from flask_babel import format_datetime, get_locale, gettext
from markupsafe import Markup

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


#: the rendered towns' part of the page, per process: (committee id, quarter, compared quarter,
#: language) -> (state of the data, HTML). Rendering it for 100 towns takes ~25 ms of CPU; most
#: views find the data as it was (rollups change nightly), so they only check that state. Only
#: the quarters the page offers are kept, least recently used first out past _BODIES_MAX_CHARS
#: (100 towns are ~140,000 characters).
_BODIES: OrderedDict[tuple, tuple[tuple, Markup]] = OrderedDict()
_BODIES_MAX_CHARS = 16_000_000
_bodies_chars = 0
_INDENT = re.compile(r"\n\s+")


def _state(committee, quarters: list[tuple[int, int]]) -> tuple:
    """What the towns' part of the page depends on, read in one statement: the jurisdiction's
    towns as listed (how many, their ids, their last change, a hash of their names, slugs and
    counties) and their rollup rows for these quarters (how many, the sum of their
    computed_at and of their ids: a row rewritten gets a new computed_at, a row added or
    deleted changes the count)."""
    from ..extensions import db

    global _STATE
    if _STATE is None:
        _STATE = _state_statement()
    return tuple(db.session.execute(_STATE, {"path": committee.region.path, "quarters": quarters}).one())


_STATE = None


def _state_statement():
    """The statement of `_state`, built once per process (parameters: path, quarters). The
    towns are found once (a materialized CTE) and fingerprinted by a sum of hashes. The path
    and the quarters are rendered into the SQL: the statement's text is then the same for a
    committee and its quarters, the driver prepares it after a few runs (the request ends
    with COMMIT, which keeps prepared statements) and PostgreSQL reuses its plan, where with
    them as parameters it planned every run (twice the statement's cost; ADR 0008)."""
    from sqlalchemy import BigInteger, bindparam, cast, func, select, tuple_

    from tenants.models import Region, Town, TownStatus

    from ..extensions import db
    from .models import Rollup

    county = db.aliased(Region)
    towns = (select(Town.id, Town.updated_at,
                    func.hashtext(func.concat_ws("|", Town.slug, Town.name, Town.name_en, county.name,
                                                 county.name_en)).label("names"))
             .join(Region, Region.id == Town.region_id).join(county, county.id == Region.parent_id)
             .where(Region.path.startswith(bindparam("path", literal_execute=True)),
                    Town.status != TownStatus.archived)
             .cte("jurisdiction").prefix_with("MATERIALIZED"))
    listing = select(func.concat_ws("|", func.count(), func.sum(towns.c.id), func.max(towns.c.updated_at),
                                    func.sum(towns.c.names))).scalar_subquery()
    # every row's computed_at counts, not only the newest: a row stamped earlier (its transaction
    # began first) may be committed after a later one
    stamp = cast(func.extract("epoch", Rollup.computed_at) * 1_000_000, BigInteger)
    rows = (select(func.concat_ws("|", func.count(), func.sum(stamp), func.sum(Rollup.id)))
            .join(towns, towns.c.id == Rollup.town_id)
            .where(tuple_(Rollup.year, Rollup.quarter).in_(bindparam("quarters", expanding=True, literal_execute=True)))
            .scalar_subquery())
    return select(listing, rows)


def scorecard_body(committee, current: tuple[int, int], compare: tuple[int, int], trend: list[tuple[int, int]],
                   names: dict) -> Markup:
    """The towns' part of the scorecard: rendered again only when the data it shows changed."""
    global _bodies_chars
    key = (committee.id, current, compare, str(get_locale()))
    state = _state(committee, list({*trend, compare}))
    cached = _BODIES.get(key)
    if cached is not None and cached[0] == state:
        with contextlib.suppress(KeyError):  # another thread may have dropped it meanwhile
            _BODIES.move_to_end(key)
        return cached[1]
    # the template's indentation is a third of the HTML of 100 towns: gone, once per render
    body = Markup(_INDENT.sub("\n", _render_body(committee, current, compare, trend, names)))
    if current in _choices(quarter_of(date.today())) and compare in _choices(current):
        old = _BODIES.pop(key, None)
        _bodies_chars += len(body) - (len(old[1]) if old else 0)
        _BODIES[key] = (state, body)
        while _bodies_chars > _BODIES_MAX_CHARS and len(_BODIES) > 1:
            _bodies_chars -= len(_BODIES.popitem(last=False)[1][1])
    return body


def _render_body(committee, current, compare, trend, names) -> str:
    from .views import towns_in

    towns = towns_in(committee)
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
    return render_template("committees/_scorecard_body.html", lines=lines, compare=compare, buckets=buckets,
                           quarter_names=names)


@bp.get("/scorecard")
def scorecard_view():
    current = _parse(request.args.get("quarter"), quarter_of(date.today()))
    compare = _parse(request.args.get("compare"), previous_quarter(*current))
    trend = [current]
    for _ in range(3):
        trend.insert(0, previous_quarter(*trend[0]))
    quarters = _choices(current)
    names = {q: gettext("Q%(n)d %(year)d", n=q[1], year=q[0]) for q in {*quarters, *trend, compare}}
    body = scorecard_body(g.committee, current, compare, trend, names)
    return render_template("committees/scorecard.html", body=body, current=current, compare=compare,
                           quarters=quarters, quarter_names=names)


def _choices(current: tuple[int, int]) -> list[tuple[int, int]]:
    out = [current]
    for _ in range(7):
        out.append(previous_quarter(*out[-1]))
    return out
