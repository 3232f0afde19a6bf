"""Deputy evaluation: a template with caps and weights scores a deputy exactly as worked out by
hand; a closed year never changes; the shortlist keeps its quota and the tie rule; only a
resolved objection changes a score; bad templates, scores and closings are refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from webapp.access import bound_to
from webapp.deputies.models import DeputyLevel
from webapp.deputies.services import create_deputy
from webapp.evaluations.models import EvaluationResult, EvaluationTemplate, ObjectionState
from webapp.evaluations.services import (EvaluationError, close_year, compute, enter_score, object_to, open_year,
                                         resolve, sheets, validate_template)
from webapp.extensions import db
from webapp.opinions.models import Channel, Kind
from webapp.opinions.services import create_opinion, transition

YEAR = 2031


def _template() -> EvaluationTemplate:
    return db.session.scalars(select(EvaluationTemplate).order_by(EvaluationTemplate.version.desc())).first()


def _indicator(template, code):
    return next(i for i in template.indicators if i.code == code)


def _opinion(deputy_id, *, kind=Kind.opinion, channel=Channel.visit, closed=False, n=0, seconders=()):
    opinion = create_opinion(actor=None, actor_name="测试", data={
        "kind": kind, "channel": channel, "title": f"考评记录{n}", "text": "内容", "deputy_id": deputy_id,
        "received_on": date(YEAR, 3, 1 + n), "seconder_ids": list(seconders)})
    if closed:
        from webapp.opinions.models import ResponsibleUnit

        unit = db.session.scalar(select(ResponsibleUnit.id).order_by(ResponsibleUnit.id))
        for action, data in (("accept", {}), ("assign", {"unit_id": unit}), ("answer", {"answer": "办好了"}),
                             ("feedback", {"by": "干事", "how": "phone"}), ("close", {"satisfaction": "satisfied"})):
            transition(opinion, action, data=data, today=date(YEAR, 4, 1))
    return opinion


def test_a_template_with_caps_and_weights_scores_a_deputy_as_worked_out_by_hand(app, world):
    with app.app_context(), bound_to(world.town_a):
        template = _template()
        # weights: own suggestions count double (cap 15 x 2 = 30); grid work half (10 x 0.5 = 5); the
        # congress session nothing (10 x 0): 100 + 15 - 5 - 10 = 100 still
        _indicator(template, "own_suggestion").weight = Decimal(2)
        _indicator(template, "grid_work").weight = Decimal("0.5")
        _indicator(template, "attend_session").weight = Decimal(0)
        validate_template(template)
        deputy = create_deputy(actor=None, data={"name": "考评代表", "level": DeputyLevel.town}).id
        others = [create_deputy(actor=None, data={"name": f"提案人{n}", "level": DeputyLevel.town}).id for n in range(6)]
        db.session.flush()
        for n in range(3):  # own suggestions: 5 + 2 + 2 = 9 points, x2 = 18
            _opinion(deputy, kind=Kind.suggestion, channel=Channel.deputy, n=n)
        for n, author in enumerate(others):  # seconded 6: 1 + 5 = 6, capped at 5
            _opinion(author, kind=Kind.suggestion, channel=Channel.deputy, n=10 + n, seconders=[deputy])
        for n in range(4):  # opinions followed to closure: 2 + 3 = 5
            _opinion(deputy, closed=True, n=20 + n)
        for n in range(2):  # grid work (not closed): 2 + 1 = 3, x0.5 = 1.5
            _opinion(deputy, channel=Channel.grid, n=25 + n)
        year = open_year(actor=None, year=YEAR)
        compute(year, deputy_ids=[deputy])
        enter_score(year, deputy, "presidium_assessment", "8.5", actor=None)
        enter_score(year, deputy, "voter_assessment", 9, actor=None)
        [sheet] = [s for s in sheets(year) if s.deputy_id == deputy]
        lines = {line.code: line for line in sheet.lines}
        assert (lines["own_suggestion"].count, lines["own_suggestion"].points, lines["own_suggestion"].weighted) \
            == (3, Decimal(9), Decimal(18))
        assert (lines["seconded_suggestion"].count, lines["seconded_suggestion"].points) == (6, Decimal(5))
        assert lines["seconded_suggestion"].explanation["capped"] is True
        assert (lines["opinions_followed"].count, lines["opinions_followed"].points) == (4, Decimal(5))
        assert (lines["grid_work"].points, lines["grid_work"].weighted) == (Decimal(3), Decimal("1.5"))
        assert lines["reception_day"].points == 0 and lines["attend_session"].weighted == 0
        assert sheet.total == Decimal("47.0")  # 18 + 5 + 5 + 1.5 + 8.5 + 9
        assert sheet.grade == "incompetent" and sheet.renominate is False
        assert [r["title"] for r in lines["own_suggestion"].explanation["records"]] == ["考评记录0", "考评记录1",
                                                                                       "考评记录2"]
        assert compute(year, deputy_ids=[deputy]) == 1 and [s.total for s in sheets(year) if s.deputy_id == deputy] \
            == [Decimal("47.0")]  # recomputed: the same
        db.session.rollback()


def test_a_closed_year_never_changes_and_objections_change_scores_only_when_accepted(app, world):
    with app.app_context(), bound_to(world.town_c):
        deputy = create_deputy(actor=None, data={"name": "异议代表", "level": DeputyLevel.town}).id
        db.session.flush()
        year = open_year(actor=None, year=YEAR, objections_until=date(YEAR + 1, 1, 15))
        compute(year, deputy_ids=[deputy])
        enter_score(year, deputy, "voter_assessment", 20, actor=None)
        objection = object_to(year, deputy, "reception_day", "我参加了三月的接待日", actor=None, today=date(YEAR + 1, 1, 2))
        assert [s.total for s in sheets(year) if s.deputy_id == deputy] == [Decimal(20)]  # an open objection: nothing
        with pytest.raises(EvaluationError) as refused:
            close_year(year, actor=None)
        assert refused.value.field == "objections"
        with pytest.raises(EvaluationError):  # points beyond the cap (40)
            resolve(objection, actor=None, accept=True, note="核实", points_after=41)
        rejected = object_to(year, deputy, "opinions_followed", "少算了", actor=None, today=date(YEAR + 1, 1, 2))
        resolve(rejected, actor=None, accept=False, note="经核实无误")
        resolve(objection, actor=None, accept=True, note="接待日签到漏记，已核实", points_after=10)
        assert objection.state == ObjectionState.accepted
        assert [s.total for s in sheets(year) if s.deputy_id == deputy] == [Decimal(30)]
        with pytest.raises(EvaluationError):  # after the window
            object_to(year, deputy, "voter_assessment", "太低", actor=None, today=date(YEAR + 1, 1, 16))
        close_year(year, actor=None)
        frozen = db.session.scalar(select(EvaluationResult).where(EvaluationResult.year_id == year.id,
                                                                  EvaluationResult.deputy_id == deputy))
        assert frozen.total == Decimal(30)
        template = _template()  # the template changes afterwards
        _indicator(template, "voter_assessment").weight = Decimal(2)
        _indicator(template, "voter_assessment").cap = Decimal(15)
        template.grades = [{"grade": "excellent", "min": 10}, {"grade": "incompetent", "min": 0}]
        db.session.flush()
        assert [s.total for s in sheets(year) if s.deputy_id == deputy] == [Decimal(30)]
        with pytest.raises(EvaluationError):
            compute(year)
        with pytest.raises(EvaluationError):
            enter_score(year, deputy, "voter_assessment", 1, actor=None)
        db.session.rollback()


def test_the_shortlist_keeps_the_quota_and_the_tie_rule(app, world):
    with app.app_context(), bound_to(world.town_c):
        template = _template()
        template.outstanding_count = 2
        template.grades = [{"grade": "excellent", "min": 20}, {"grade": "competent", "min": 10},
                           {"grade": "basically_competent", "min": 5}, {"grade": "incompetent", "min": 0}]
        ids = {name: create_deputy(actor=None, data={"name": name, "level": DeputyLevel.town}).id
               for name in ("白", "安", "成", "丁")}
        db.session.flush()
        year = open_year(actor=None, year=YEAR + 1)
        compute(year, deputy_ids=list(ids.values()))
        for name, points in (("白", 25), ("安", 25), ("成", 28), ("丁", 12)):
            enter_score(year, ids[name], "voter_assessment", points, actor=None)
        result = [s for s in sheets(year) if s.deputy_id in ids.values()]
        assert [(s.name, s.rank, s.outstanding) for s in result] == [("成", 1, True), ("安", 2, True),
                                                                     ("白", 2, False), ("丁", 4, False)]
        assert [s.grade for s in result] == ["excellent", "excellent", "excellent", "competent"]
        db.session.rollback()


@pytest.mark.parametrize("change,field", [
    (lambda t: setattr(_indicator(t, "voter_assessment"), "weight", Decimal(2)), "weights"),
    (lambda t: setattr(_indicator(t, "reception_day"), "cap", Decimal(-40)), "cap"),
    (lambda t: setattr(t, "grades", [{"grade": "excellent", "min": 50}, {"grade": "competent", "min": 80}]), "grades"),
])
def test_a_template_that_does_not_add_up_is_refused(app, world, change, field):
    with app.app_context(), bound_to(world.town_c):
        template = _template()
        change(template)
        with pytest.raises(EvaluationError) as refused:
            validate_template(template)
        assert refused.value.field.startswith(field)
        with pytest.raises(EvaluationError):
            open_year(actor=None, year=YEAR + 2)
        db.session.rollback()


def test_a_score_out_of_range_is_refused(app, world):
    with app.app_context(), bound_to(world.town_c):
        deputy = create_deputy(actor=None, data={"name": "越界代表", "level": DeputyLevel.town}).id
        db.session.flush()
        year = open_year(actor=None, year=YEAR + 3)
        for bad in (31, -1, "很多"):
            with pytest.raises(EvaluationError) as refused:
                enter_score(year, deputy, "voter_assessment", bad, actor=None)
            assert refused.value.field == "points"
        with pytest.raises(EvaluationError):  # a computed indicator is not entered
            enter_score(year, deputy, "reception_day", 5, actor=None)
        with pytest.raises(EvaluationError):  # one year, one evaluation
            open_year(actor=None, year=YEAR + 3)
        db.session.rollback()
