"""Quarterly rollups: the row holds the figures the areas' own services give; running twice
gives one row; a finished quarter is frozen unless recomputed on purpose; the nightly fan-out
enqueues one job per town and quarter under a stable id."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from jobs.rollups import rollup_town, rollups_due
from tenants.models import Town
from webapp.access import bound_to
from webapp.committees.models import Rollup
from webapp.committees.rollups import compute_figures, quarter_bounds
from webapp.extensions import db
from webapp.opinions.models import Channel, Kind
from webapp.opinions.services import create_opinion, transition
from webapp.opinions.stats import statistics

YEAR, QUARTER = 2032, 2


def _rows(app, town_id):
    with app.app_context():
        rows = db.session.scalars(select(Rollup).where(Rollup.town_id == town_id, Rollup.year == YEAR,
                                                       Rollup.quarter == QUARTER)).all()
        out = [(r.provisional, r.frozen, r.figures) for r in rows]
        db.session.remove()
    return out


def test_a_rollup_equals_the_services_figures_and_runs_once_per_quarter(app, world):
    with app.app_context(), bound_to(world.town_c):
        for n in range(3):
            opinion = create_opinion(actor=None, actor_name="测试", data={
                "channel": Channel.visit, "title": f"汇总测试{n}", "text": "内容", "received_on": date(YEAR, 4, 10 + n)})
            if n:
                transition(opinion, "accept", today=date(YEAR, 4, 20))
    with app.app_context(), bound_to(world.town_c):
        town = db.session.get(Town, world.town_c)
        start, end = quarter_bounds(YEAR, QUARTER)
        expected = statistics(start, end, kind=Kind.opinion).total
        figures = compute_figures(town, YEAR, QUARTER, today=date(YEAR, 5, 15))
        assert (figures["opinions"]["received"], figures["opinions"]["accepted"]) == (expected.received,
                                                                                      expected.accepted) == (3, 2)
        assert figures["period"] == {"start": "2032-04-01", "end": "2032-06-30", "as_of": "2032-05-15"}
        db.session.rollback()

    # during the quarter: provisional, replaced on every run; one row however often it runs
    assert rollup_town(world.town_c, YEAR, QUARTER, "2032-05-15") is True
    assert rollup_town(world.town_c, YEAR, QUARTER, "2032-05-16") is True
    [(provisional, frozen, figures)] = _rows(app, world.town_c)
    assert provisional and not frozen and figures["period"]["as_of"] == "2032-05-16"
    assert figures["opinions"]["received"] == 3

    # after the quarter: computed once more and frozen; later runs leave it unless forced
    assert rollup_town(world.town_c, YEAR, QUARTER, "2032-07-01") is True
    with app.app_context(), bound_to(world.town_c):
        create_opinion(actor=None, actor_name="测试", data={"channel": Channel.visit, "title": "迟到的意见",
                                                            "text": "内容", "received_on": date(YEAR, 6, 29)})
    assert rollup_town(world.town_c, YEAR, QUARTER, "2032-07-02") is False
    [(provisional, frozen, figures)] = _rows(app, world.town_c)
    assert not provisional and frozen and figures["opinions"]["received"] == 3
    assert rollup_town(world.town_c, YEAR, QUARTER, "2032-07-02", force=True) is True
    [(_p, frozen, figures)] = _rows(app, world.town_c)
    assert frozen and figures["opinions"]["received"] == 4


def test_the_nightly_fan_out_enqueues_each_town_and_quarter_once(app, world, stack):
    from redis import Redis
    from rq import Queue

    queue = Queue("rollups", connection=Redis.from_url(stack.redis_url))
    queue.empty()
    with app.app_context():
        towns = rollups_due("2032-07-03")
        rollups_due("2032-07-03")
        active = db.session.scalar(select(func.count()).select_from(Town))
        db.session.remove()
    assert towns >= 3 and queue.count == len(set(queue.job_ids)) == 2 * towns <= 2 * active
    assert any(j.endswith("2032Q2-2032-07-03") for j in queue.job_ids)
    assert any(j.endswith("2032Q3-2032-07-03") for j in queue.job_ids)
    queue.empty()
