"""The demo seed `make demo` runs at every start: complete, and idempotent."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import func, select, text

from tenants.models import Town
from webapp.access import bound_to
from webapp.accounts.models import CommitteeMembership, TownMembership, User
from webapp.demo import seed
from webapp.extensions import db


def _state() -> tuple:
    counts = tuple(db.session.scalar(select(func.count()).select_from(m))
                   for m in (Town, User, TownMembership, CommitteeMembership))
    with db.engine.connect() as conn:
        notices = conn.execute(text("SELECT count(*) FROM town_yinzhuang.notifications")).scalar()
        groups = conn.execute(text("SELECT count(*) FROM town_yinzhuang.supervision_groups")).scalar()
        ledger = conn.execute(text("SELECT (SELECT count(*) FROM town_yinzhuang.opinions), "
                                   "(SELECT count(*) FROM town_yinzhuang.opinion_events), "
                                   "(SELECT count(*) FROM town_yinzhuang.responsible_units)")).one()
    return counts + (notices, groups, tuple(ledger))


def test_the_demo_seed_is_complete_and_idempotent(app_ctx, world):
    lines = seed()
    first = _state()
    assert seed() == lines
    assert _state() == first
    slugs = set(db.session.scalars(select(Town.slug)))
    assert {"yinzhuang", "hanguguan", "yuling", "yangdian", "daying"} <= slugs
    for username in ("operator", "yz_admin", "yz_staff", "yz_deputy", "yz_presidium", "hg_admin", "lb_committee"):
        assert any(line.strip().startswith(username) for line in lines), username
    notices, groups, (opinions, events, units) = first[-3:]
    assert notices >= 4 and groups == 4  # a welcome per yinzhuang role; the four groups
    assert opinions > 200 and events > 5 * opinions and units == 12 + 18  # the ledger, once


def _replay(opinion) -> None:
    """The history is one legal path through the state machine, in order of time."""
    from webapp.opinions.services import ACTIONS

    events = opinion.events
    assert events[0].action == "collect" and events[0].to_state == "collected"
    for before, event in zip(events, events[1:]):
        assert event.from_state == before.to_state, (opinion.id, event.action)
        assert event.from_state in {s.value for s in ACTIONS[event.action].sources}, (opinion.id, event.action)
        assert event.created_at >= before.created_at, (opinion.id, event.action)
    assert events[-1].to_state == opinion.state.value, opinion.id


def test_yinzhuang_has_a_year_of_opinions_and_suggestions(app_ctx, world):
    from sqlalchemy.orm import selectinload

    from webapp.activities.models import Activity
    from webapp.grids.models import Grid
    from webapp.opinions.models import (Channel, CongressLevel, Kind, Opinion, OpinionCategory, ResponsibleUnit,
                                        Satisfaction, State, UnitKind)
    from webapp.opinions.stats import statistics
    from webapp.receptions.models import ReceptionDay

    seed()
    today = date.today()
    town = db.session.scalar(select(Town).where(Town.slug == "yinzhuang"))
    with bound_to(town.id):
        rows = db.session.scalars(select(Opinion).options(selectinload(Opinion.events), selectinload(Opinion.seconders))
                                  .order_by(Opinion.id)).all()
        opinions = [o for o in rows if o.kind == Kind.opinion]
        suggestions = [o for o in rows if o.kind == Kind.suggestion]

        # a year of them, over every channel, category and village, no two texts alike
        assert 200 <= len(opinions) <= 260
        assert all(today - timedelta(days=365) < o.received_on <= today for o in rows)
        assert {o.channel for o in opinions} == set(Channel) - {Channel.deputy}
        codes = dict(db.session.execute(select(OpinionCategory.id, OpinionCategory.code)).all())
        assert {codes[o.category_id] for o in opinions if o.category_id} == set(codes.values())
        assert len({o.village for o in opinions}) >= 15
        assert len({o.text for o in rows}) == len(rows)
        assert any(o.constituent_name is None for o in opinions) and any(o.constituent_phone for o in opinions)

        # each channel carries what it should
        for o in opinions:
            if o.channel == Channel.reception_day:
                day = db.session.get(ReceptionDay, o.reception_day_id)
                assert day.day == o.received_on and o.deputy_id in {d.id for d in day.deputies}
            elif o.channel == Channel.grid:
                grid = db.session.get(Grid, o.grid_id)
                assert grid.community == o.village and o.deputy_id in {d.id for d in grid.deputies}
            elif o.channel == Channel.forum:
                activity = db.session.get(Activity, o.activity_id)
                assert activity.day == o.received_on and activity.type.code == "lead_goose_forum"
            elif o.channel == Channel.visit:
                assert o.deputy_id is not None
        cases = [o.hotline_case_no for o in opinions if o.channel == Channel.hotline]
        assert all(re.fullmatch(r"HN\d{13}", c) for c in cases) and len(set(cases)) == len(cases)

        # every history is legal and dated in order
        for o in rows:
            _replay(o)

        # today's picture: overdue, nearly due, in progress, awaiting feedback, just in
        states = Counter(o.state for o in opinions)
        assert 6 <= sum(o.overdue(today) for o in opinions) <= 10
        assert any(o.nearly_due(today) for o in opinions)
        for state in (State.collected, State.answered, State.in_progress, State.merged, State.out_of_scope):
            assert states[state] >= 1, state
        assert states[State.closed] > len(opinions) / 2
        assert all(o.reason for o in opinions if o.state in (State.merged, State.out_of_scope))
        assert all(o.merged_into_id for o in opinions if o.state == State.merged)
        closed = [o for o in opinions if o.state == State.closed]
        assert {o.satisfaction for o in closed} == set(Satisfaction)
        assert all(o.feedback_by and o.feedback_how and o.answer for o in closed)
        actions = Counter(e.action for o in rows for e in o.events)
        assert actions["reopen"] >= 1 and actions["reply"] >= 10
        approved = [o for o in rows if any(e.action == "decide_extension" and e.data.get("approved") for e in o.events)]
        assert approved and any(o.open for o in approved)  # one extension is running now
        reopened = [o for o in rows if any(e.action == "reopen" for e in o.events)]
        assert all(sum(e.action == "assign" for e in o.events) == 2 for o in reopened)

        # the deputies' suggestions, rated by their authors
        assert 20 <= len(suggestions) <= 30
        assert all(o.channel == Channel.deputy and o.deputy_id for o in suggestions)
        assert {CongressLevel.town, CongressLevel.county} <= {o.congress_level for o in suggestions}
        assert any(o.seconders for o in suggestions)
        assert all(o.rated_by == "deputy" for o in suggestions if o.state == State.closed)
        assert sum(o.state == State.closed for o in suggestions) > len(suggestions) / 2

        # the units have contacts; the villages' committees are units too
        units = db.session.scalars(select(ResponsibleUnit)).all()
        assert all(u.contact_name and u.contact_phone for u in units)
        assert sum(u.kind == UnitKind.village for u in units) == 18

        # plausible figures over the last year
        figures = statistics(today - timedelta(days=364), today).total
        assert figures.received == len([o for o in opinions if o.state != State.merged])
        assert 70 <= figures.on_time_pct <= 100 and 70 <= figures.satisfaction_pct <= 100
        assert figures.on_time < figures.answered_with_deadline  # some answers were late
        own = statistics(today - timedelta(days=364), today, kind=Kind.suggestion).total
        assert own.received == len(suggestions) and own.rated >= 1
