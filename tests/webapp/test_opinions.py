"""Opinions: the state machine (every legal and illegal step), working-day deadlines over
National Day and the Spring Festival, double submissions, and the statistics service."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tenants.models import Town
from webapp.access import bound_to
from webapp.extensions import db
from webapp.opinions.models import Channel, Kind, Opinion, OpinionCategory, OpinionEvent, ResponsibleUnit, State
from webapp.opinions.services import (ACTIONS, OpinionError, allowed_actions, create_opinion, deadline_for, rate,
                                      transition)
from webapp.opinions.stats import statistics
from webapp.receptions.calendar import add_working_days, subtract_working_days

TODAY = date(2026, 11, 2)


# --- deadlines in working days ---------------------------------------------------------------

def test_fifteen_working_days_over_national_day_skip_the_holiday_and_count_the_make_up_saturday():
    # assigned Mon 2026-09-28: working 9-29, 9-30 (2); 10-1..10-7 holiday; 10-8 Thu, 10-9 Fri (4);
    # 10-10 is a make-up Saturday (5); 10-12..10-16 (10); 10-19..10-23 (15)
    assert add_working_days(date(2026, 9, 28), 15) == date(2026, 10, 23)
    # without the make-up Saturday it would be 10-26: the Saturday counts
    assert add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)
    # Sunday 2026-09-20 is a make-up working day too
    assert add_working_days(date(2026, 9, 18), 1) == date(2026, 9, 20)


def test_deadlines_over_the_spring_festival_2026():
    # assigned Fri 2026-02-13: Sat 02-14 is a make-up working day (1); 02-15 Sun, 02-16..02-23 holiday;
    # 02-24 Tue (2), 25 (3), 26 (4), 27 (5), Sat 02-28 make-up (6), 03-02 Mon (7)
    assert add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)
    assert add_working_days(date(2026, 2, 13), 6) == date(2026, 2, 28)
    assert add_working_days(date(2026, 2, 13), 7) == date(2026, 3, 2)
    # the warning threshold counts back over the same holiday
    assert subtract_working_days(date(2026, 2, 25), 2) == date(2026, 2, 14)


def test_a_category_sets_the_deadline_and_the_warning(app, world):
    with app.app_context(), bound_to(world.town_a):
        utilities = db.session.scalar(select(OpinionCategory).where(OpinionCategory.code == "utilities"))
        assert (utilities.deadline_days, utilities.warning_days) == (5, 1)
        due, warn = deadline_for(utilities, date(2026, 9, 30))
        # 10-8 (1), 10-9 (2), 10-10 make-up (3), 10-12 (4), 10-13 (5); warn a working day before
        assert (due, warn) == (date(2026, 10, 13), date(2026, 10, 12))
        db.session.rollback()


# --- the state machine -------------------------------------------------------------------------

def _unit() -> ResponsibleUnit:
    unit = db.session.scalar(select(ResponsibleUnit).where(ResponsibleUnit.name == "测试责任单位"))
    if unit is None:
        from webapp.opinions.models import UnitKind

        unit = ResponsibleUnit(name="测试责任单位", kind=UnitKind.department, contact_name="王主任",
                               contact_phone="0398-8888888", active=True)
        db.session.add(unit)
        db.session.flush()
    return unit


def _opinion(**extra) -> Opinion:
    return create_opinion(actor=None, actor_name="测试", data={
        "channel": Channel.staff, "title": "村口路灯不亮", "text": "尹庄村村口三盏路灯坏了一个月。",
        "received_on": date(2026, 10, 20), **extra})


#: for each action: the input that makes it succeed
GOOD_INPUT = {
    "accept": lambda: {},
    "merge": lambda: {"merged_into_id": _opinion().id, "note": "与前一条重复"},
    "decline": lambda: {"note": "属司法程序，不在受理范围"},
    "assign": lambda: {"unit_id": _unit().id},
    "reply": lambda: {"note": "已联系施工队"},
    "request_extension": lambda: {"days": 5, "note": "配件需订货"},
    "decide_extension": lambda: {"approve": True},
    "answer": lambda: {"answer": "路灯已修复。"},
    "feedback": lambda: {"by": "李干事", "how": "phone"},
    "close": lambda: {"satisfaction": "satisfied"},
    "reopen": lambda: {"note": "又坏了"},
}

#: how to bring a fresh opinion into each state (steps from collected)
PATHS = {
    State.collected: [],
    State.accepted: ["accept"],
    State.merged: ["merge"],
    State.out_of_scope: ["decline"],
    State.assigned: ["accept", "assign"],
    State.in_progress: ["accept", "assign", "reply"],
    State.answered: ["accept", "assign", "answer"],
    State.feedback_given: ["accept", "assign", "answer", "feedback"],
    State.closed: ["accept", "assign", "answer", "feedback", "close"],
    State.reopened: ["accept", "assign", "answer", "feedback", ("close", {"satisfaction": "not_satisfied"}), "reopen"],
}


def _walk(opinion, steps):
    for step in steps:
        action, data = step if isinstance(step, tuple) else (step, GOOD_INPUT[step]())
        assert transition(opinion, action, data=data, actor_name="测试", today=TODAY)


EXPECTED = {  # state -> the actions allowed in it (a plain closed opinion was rated satisfied)
    State.collected: {"accept", "merge", "decline"},
    State.accepted: {"assign"},
    State.merged: set(),
    State.out_of_scope: set(),
    State.assigned: {"reply", "request_extension", "answer"},
    State.in_progress: {"reply", "request_extension", "answer"},
    State.answered: {"feedback"},
    State.feedback_given: {"close"},
    State.closed: set(),
    State.reopened: {"assign"},
}


@pytest.mark.parametrize("state", list(State), ids=lambda s: s.value)
def test_every_action_in_every_state_is_applied_or_refused(app, world, state):
    with app.app_context(), bound_to(world.town_a):
        for action in ACTIONS:
            with db.session.begin_nested():
                opinion = _opinion()
                _walk(opinion, PATHS[state])
                assert opinion.state == state
                assert set(allowed_actions(opinion)) == EXPECTED[state]
                events = len(opinion.events)
                if action in EXPECTED[state]:
                    assert transition(opinion, action, data=GOOD_INPUT[action](), actor_name="测试", today=TODAY)
                    expected_state = ACTIONS[action].target or state
                    assert opinion.state == expected_state and len(opinion.events) == events + 1
                    assert opinion.events[-1].from_state == state.value
                else:
                    with pytest.raises(OpinionError) as refused:
                        transition(opinion, action, data=GOOD_INPUT[action](), actor_name="测试", today=TODAY)
                    assert refused.value.field == "action" and str(refused.value.message)
                    db.session.refresh(opinion)
                    assert opinion.state == state and len(opinion.events) == events
        db.session.rollback()


def test_extension_decided_moves_the_deadline_by_working_days(app, world):
    with app.app_context(), bound_to(world.town_a):
        opinion = _opinion()
        _walk(opinion, ["accept", "assign"])
        due = opinion.due_on
        assert "decide_extension" not in allowed_actions(opinion)
        transition(opinion, "request_extension", data={"days": 5, "note": "等配件"}, today=TODAY)
        assert "request_extension" not in allowed_actions(opinion)
        with pytest.raises(OpinionError):
            transition(opinion, "request_extension", data={"days": 3, "note": "再延"}, today=TODAY)
        transition(opinion, "decide_extension", data={"approve": True}, today=TODAY)
        assert opinion.due_on == add_working_days(due, 5) and opinion.extension_days_requested is None
        transition(opinion, "request_extension", data={"days": 9, "note": "再延"}, today=TODAY)
        transition(opinion, "decide_extension", data={"approve": False}, today=TODAY)
        assert opinion.due_on == add_working_days(due, 5)
        db.session.rollback()


def test_reopening_needs_a_not_satisfied_rating(app, world):
    with app.app_context(), bound_to(world.town_a):
        opinion = _opinion()
        _walk(opinion, PATHS[State.closed])
        with pytest.raises(OpinionError) as refused:
            transition(opinion, "reopen", data={"note": "x"}, today=TODAY)
        assert "not satisfied" in str(refused.value.message) or "不满意" in str(refused.value.message)
        db.session.rollback()


@pytest.mark.parametrize("action,data,field", [
    ("decline", {}, "note"),
    ("assign", {}, "unit_id"),
    ("assign", {"unit_id": 999999}, "unit_id"),
    ("assign", {"unit": None, "due_on": TODAY}, "unit_id"),
    ("merge", {"merged_into_id": None}, "merged_into_id"),
])
def test_incomplete_input_is_refused_and_changes_nothing(app, world, action, data, field):
    with app.app_context(), bound_to(world.town_a):
        opinion = _opinion()
        if action == "assign":
            _walk(opinion, ["accept"])
        before = (opinion.state, len(opinion.events))
        with pytest.raises(OpinionError) as refused:
            transition(opinion, action, data=data, today=TODAY)
        assert refused.value.field == field
        db.session.refresh(opinion)
        assert (opinion.state, len(opinion.events)) == before
        db.session.rollback()


def test_a_step_posted_twice_with_the_same_key_applies_once(app, world):
    with app.app_context(), bound_to(world.town_a):
        opinion = _opinion()
        assert transition(opinion, "accept", nonce="form-1", today=TODAY) is True
        assert transition(opinion, "accept", nonce="form-1", today=TODAY) is False
        assert opinion.state == State.accepted
        assert db.session.scalar(select(func.count()).select_from(OpinionEvent).where(
            OpinionEvent.opinion_id == opinion.id, OpinionEvent.action == "accept")) == 1
        db.session.rollback()


def test_the_constituent_rates_an_answered_opinion_and_it_closes(app, world):
    with app.app_context(), bound_to(world.town_a):
        opinion = _opinion()
        _walk(opinion, ["accept", "assign", "answer"])
        assert rate(opinion, "basically", by="constituent", actor_name="群众", nonce="r1", today=TODAY)
        assert opinion.state == State.closed and opinion.rated_by == "constituent"
        assert [e.action for e in opinion.events][-2:] == ["feedback", "close"]
        assert opinion.feedback_how == "public_page"
        assert rate(opinion, "basically", by="constituent", nonce="r1", today=TODAY) is False
        db.session.rollback()


def test_a_suggestion_needs_its_deputy(app, world):
    with app.app_context(), bound_to(world.town_a):
        with pytest.raises(OpinionError) as refused:
            create_opinion(actor=None, data={"kind": Kind.suggestion, "channel": Channel.deputy,
                                             "title": "建议", "text": "修路"})
        assert refused.value.field == "deputy_id"
        db.session.rollback()


# --- statistics ------------------------------------------------------------------------------

def test_statistics_count_what_the_ledger_holds(app, world):
    with app.app_context(), bound_to(world.town_c):
        roads = db.session.scalar(select(OpinionCategory).where(OpinionCategory.code == "roads"))
        made = []
        for n in range(4):
            made.append(_opinion(category_id=roads.id, channel=Channel.visit if n % 2 else Channel.staff,
                                 received_on=date(2026, 10, 5 + n)))
        a, b, c, d = made
        _walk(a, PATHS[State.closed])  # answered on TODAY, within 15 working days of TODAY: on time
        _walk(b, ["accept", "assign", "answer"])
        _walk(c, ["accept", "assign"])
        _walk(d, ["merge"])  # merged (into a fifth, collected opinion): not counted
        figures = statistics(date(2026, 10, 1), date(2026, 10, 31))
        total = figures.total
        assert total.received == 4  # a, b, c and the opinion d was merged into (d itself is left out)
        assert (total.accepted, total.resolved, total.closed) == (3, 2, 1)
        assert (total.answered_with_deadline, total.on_time, total.on_time_pct) == (2, 2, 100.0)
        assert total.days_to_close == (TODAY - a.received_on).days
        assert (total.rated, total.satisfied, total.satisfaction_pct) == (1, 1, 100.0)
        # staff: a, c and the merge target; visit: b (d, merged, is left out)
        assert figures.by_channel["staff"].received == 3 and figures.by_channel["visit"].received == 1
        assert figures.by_category[roads.id].received == 3
        assert list(figures.by_month) == ["2026-10"]
        db.session.rollback()


# --- the daily urge job ----------------------------------------------------------------------

def test_the_urge_job_run_twice_in_a_day_urges_and_tells_once(app, world, stack):
    from redis import Redis
    from rq import Queue, SimpleWorker

    from jobs.opinions import opinion_urges_due, send_opinion_urges
    from webapp.notifications.models import Notification
    from webapp.opinions.models import OpinionUrge

    with app.app_context(), bound_to(world.town_c):
        late, soon, fine = (_opinion(title=f"催办测试{n}") for n in range(3))
        for opinion, assigned in ((late, date(2031, 4, 1)), (soon, date(2031, 5, 20)), (fine, date(2031, 5, 29))):
            _walk(opinion, ["accept"])
            transition(opinion, "assign", data={"unit_id": _unit().id}, today=assigned)
        # 15 working days: from 04-01 due 04-23 (overdue on 06-02); from 05-20 due 06-10 (warning from 06-05,
        # so not yet); make it nearly due by moving its warning day; from 05-29 due 06-19: fine
        soon.warn_on = date(2031, 6, 2)
        ids = (late.id, soon.id, fine.id)
    urged = send_opinion_urges(world.town_c, "2031-06-02")
    assert urged >= 2
    assert send_opinion_urges(world.town_c, "2031-06-02") == 0  # twice the same day: once
    with app.app_context(), bound_to(world.town_c):
        urges = db.session.execute(select(OpinionUrge.opinion_id, OpinionUrge.reason, OpinionUrge.notified)
                                   .where(OpinionUrge.opinion_id.in_(ids))).all()
        assert sorted((o, r) for o, r, _n in urges) == sorted([(ids[0], "overdue"), (ids[1], "warning")])
        assert all(n >= 1 for *_x, n in urges)  # the station admin at least
        notes = db.session.scalars(select(Notification).where(
            Notification.user_id == world.users["c_admin"], Notification.kind == "urge",
            Notification.link.in_([f"/t/{db.session.get(Town, world.town_c).slug}/opinions/{i}" for i in ids]))).all()
        assert len(notes) == 2 and any("逾期" in n.title or "Overdue" in n.title for n in notes)
        events = db.session.scalar(select(func.count()).select_from(OpinionEvent).where(
            OpinionEvent.opinion_id.in_(ids), OpinionEvent.action == "urge"))
        assert events == 2
    assert send_opinion_urges(world.town_c, "2031-06-03") >= 2  # the next day: again
    # the daily fan-out: one job per active town under a stable id per day
    queue = Queue("notify", connection=Redis.from_url(stack.redis_url))
    queue.empty()
    with app.app_context():
        assert opinion_urges_due("2031-06-04") >= 3
        opinion_urges_due("2031-06-04")
    assert queue.count == len(set(queue.job_ids)) >= 3
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    queue.empty()


def test_the_deputys_file_carries_the_opinions_and_the_years_figures(app, world):
    from webapp.deputies.file import assemble
    from webapp.deputies.models import Deputy, DeputyLevel
    from webapp.deputies.services import create_deputy

    with app.app_context(), bound_to(world.town_c):
        deputy = create_deputy(actor=None, data={"name": "档案代表", "level": DeputyLevel.town})
        db.session.flush()
        opinion = _opinion(deputy_id=deputy.id, received_on=date(2026, 10, 20))
        _walk(opinion, PATHS[State.closed])
        _opinion(deputy_id=deputy.id, received_on=date(2026, 10, 21))
        file = assemble(db.session.get(Deputy, deputy.id), [2026])
        assert file.count(2026, "opinions") == 2
        [line] = file.entries[2026]["opinion_figures"]
        assert "2" in line.title and "100" in line.title  # 2 received, 1 answered on time (100%)
        db.session.rollback()
