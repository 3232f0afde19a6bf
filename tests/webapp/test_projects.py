"""Key projects and the five ones: continuing projects carry over, the rectification
ledger's states, the annual vote's counts and threshold, ballots that count once, and the
checkpoints a group misses under the town's cadence."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tenants.models import Town
from webapp.access import bound_to
from webapp.extensions import db
from webapp.opinions.models import ResponsibleUnit
from webapp.projects.models import (FindingState, Phase, Project, ProjectKind, RecordKind, SupervisionGroup, Vote,
                                    Voter)
from webapp.projects.services import (ProjectError, add_file, add_finding, carry_over, cast, create_project,
                                      create_record, finding_step, issue_ballots, lineage, missed_checkpoints,
                                      result, set_review)

from .test_isolation import tiny_png
from ..conftest import unique

TODAY = date(2026, 11, 2)


def _group(code="livelihood") -> SupervisionGroup:
    return db.session.scalar(select(SupervisionGroup).where(SupervisionGroup.code == code))


def _unit() -> ResponsibleUnit:
    return db.session.scalar(select(ResponsibleUnit).order_by(ResponsibleUnit.id))


def _project(year=2026, **extra) -> Project:
    return create_project(actor=None, data={"year": year, "name": unique("尹庄村道路硬化"), "kind": ProjectKind.livelihood,
                                            "group_id": _group().id, "unit_id": _unit().id, **extra})


def test_a_continuing_project_carries_over_with_its_history(app, world):
    with app.app_context(), bound_to(world.town_a):
        first = _project(year=2025, phase=Phase.construction, progress=60, budget=120)
        second = carry_over(first, actor=None)
        assert (second.year, second.name, second.phase, second.progress) == (2026, first.name, Phase.construction, 60)
        assert second.continuing and second.unit_id == first.unit_id and second.group_id == first.group_id
        third = carry_over(second, actor=None)
        assert [p.year for p in lineage(third)] == [2027, 2026, 2025]
        with pytest.raises(ProjectError):  # once only
            carry_over(first, actor=None)
        with pytest.raises(ProjectError):  # the name is taken in 2026 already
            create_project(actor=None, data={"year": 2026, "name": first.name, "kind": ProjectKind.key})
        db.session.rollback()


def test_the_rectification_ledger(app, world):
    with app.app_context(), bound_to(world.town_a):
        project = _project()
        inspection = create_record(actor=None, kind=RecordKind.inspection,
                                   data={"group_id": _group().id, "day": date(2026, 10, 20)})
        assert inspection.projects == [project]  # the group's projects of the year, when none are named
        one = add_finding(inspection, actor=None, description="路面有裂缝", project_id=project.id)
        two = add_finding(inspection, actor=None, description="排水沟未完工", project_id=project.id,
                          unit_id=_unit().id, due_on=date(2026, 11, 30))
        assert (one.state, two.state) == (FindingState.found, FindingState.assigned)
        with pytest.raises(ProjectError) as refused:  # rectified before it is assigned
            finding_step(one, "rectify", actor=None, data={"evidence": "已修"}, today=TODAY)
        assert refused.value.field == "action"
        with pytest.raises(ProjectError):  # a deadline in the past
            finding_step(one, "assign", actor=None, data={"unit_id": _unit().id, "due_on": date(2026, 10, 1)},
                         today=TODAY)
        finding_step(one, "assign", actor=None, data={"unit_id": _unit().id, "due_on": date(2026, 11, 10)}, today=TODAY)
        assert one.overdue(date(2026, 11, 11)) and not one.overdue(TODAY)
        with pytest.raises(ProjectError) as refused:
            finding_step(one, "rectify", actor=None, data={"evidence": " "}, today=TODAY)
        assert refused.value.field == "evidence"
        assert finding_step(one, "rectify", actor=None, data={"evidence": "裂缝已灌缝修补"}, nonce="k1", today=TODAY)
        assert not finding_step(one, "rectify", actor=None, data={"evidence": "again"}, nonce="k1", today=TODAY)
        with pytest.raises(ProjectError) as refused:  # verified without evidence: refused
            finding_step(one, "verify", actor=None, today=TODAY)
        assert refused.value.field == "file" and one.state == FindingState.rectified
        with pytest.raises(ProjectError):  # sent back without saying why
            finding_step(one, "reject", actor=None, today=TODAY)
        finding_step(one, "reject", actor=None, data={"note": "仍有两处裂缝"}, today=TODAY)
        assert one.state == FindingState.assigned and one.rectified_on is None
        finding_step(one, "rectify", actor=None, data={"evidence": "全部修补"}, today=TODAY)
        add_file(finding=one, filename="after.png", content=tiny_png(), actor=None)
        finding_step(one, "verify", actor=None, data={"by": "王组长"}, today=TODAY)
        assert one.state == FindingState.verified and one.verified_by == "王组长" and not one.overdue(date(2027, 1, 1))
        assert [e.action for e in one.events] == ["find", "assign", "rectify", "reject", "rectify", "verify"]
        with pytest.raises(ProjectError):  # findings belong to inspections
            add_finding(create_record(actor=None, kind=RecordKind.briefing, data={"group_id": _group().id,
                                                                                  "day": TODAY}),
                        actor=None, description="x")
        db.session.rollback()


def test_the_annual_vote_counts_paper_and_ballots_against_the_threshold(app, world):
    with app.app_context(), bound_to(world.town_a):
        unanimous, contested = _project(), _project()
        review_day = create_record(actor=None, kind=RecordKind.annual_review, data={"day": date(2026, 12, 20)})
        full = set_review(review_day, unanimous, actor=None, threshold=80, present={"voters": 30, "deputies": 12},
                          tallies={"voters": {"satisfied": 28}, "deputies": {"satisfied": 10}})
        ballots = issue_ballots(full, voter=Voter.voters, count=2, actor=None)
        assert cast(ballots[0].token, "satisfied") and cast(ballots[1].token, "satisfied")
        assert not cast(ballots[0].token, "not_satisfied")  # a ballot used twice counts once
        outcome = result(full)
        assert (outcome.total, outcome.satisfied, outcome.rate, outcome.passed) == (40, 40, 100.0, True)
        assert outcome.counts["voters"]["satisfied"] == 30
        with pytest.raises(ProjectError):  # no more ballots than people present
            issue_ballots(full, voter=Voter.voters, count=1, actor=None)

        # 30 voters: 20 satisfied, 3 basically, 7 not; 12 deputies: 8, 1, 3 -> 32 / 42 = 76.2% < 80
        failing = set_review(review_day, contested, actor=None, threshold=80, present={"voters": 30, "deputies": 12},
                             tallies={"voters": {"satisfied": 20, "basically": 3, "not_satisfied": 7},
                                      "deputies": {"satisfied": 8, "basically": 1, "not_satisfied": 3}})
        outcome = result(failing)
        assert (outcome.total, outcome.satisfied, outcome.rate, outcome.passed) == (42, 32, 76.2, False)

        with pytest.raises(ProjectError) as refused:  # more votes than people present
            set_review(review_day, contested, actor=None, threshold=80, present={"voters": 30, "deputies": 12},
                       tallies={"voters": {"satisfied": 31}})
        assert refused.value.field == "voters"
        with pytest.raises(ProjectError):  # paper tallies plus ballots handed out cannot exceed those present
            set_review(review_day, unanimous, actor=None, threshold=80, present={"voters": 30, "deputies": 12},
                       tallies={"voters": {"satisfied": 29}})
        assert result(failing).total == 42  # nothing changed
        with pytest.raises(ProjectError):
            cast("no-such-ballot", "satisfied")
        assert Vote.satisfied.value == "satisfied"
        db.session.rollback()


def test_missed_checkpoints_follow_the_towns_cadence(app, world):
    with app.app_context(), bound_to(world.town_b):
        town = db.session.get(Town, world.town_b)
        _project(year=2031)
        group = _group()
        for month in (1, 2, 4):
            create_record(actor=None, kind=RecordKind.briefing, data={"group_id": group.id, "day": date(2031, month, 15)})
        create_record(actor=None, kind=RecordKind.inspection, data={"group_id": group.id, "day": date(2031, 2, 20)})
        missed = {(m.kind, m.period) for m in missed_checkpoints(town, 2031, date(2031, 7, 10)) if m.group_id == group.id}
        # briefings: March, May and June ended without one (July is not over); inspections: Q2
        assert missed == {(RecordKind.briefing, 2), (RecordKind.briefing, 4), (RecordKind.briefing, 5),
                          (RecordKind.inspection, 1)}
        assert {m.kind for m in missed_checkpoints(town, 2031, date(2031, 1, 31))} == set()
        # a town that briefs quarterly: April's briefing covers Q2, so only the Q2 inspection is missed
        town.settings = {**town.settings, "five_ones": {"briefing": "quarterly"}}
        missed = {(m.kind, m.period) for m in missed_checkpoints(town, 2031, date(2031, 7, 10)) if m.group_id == group.id}
        assert missed == {(RecordKind.inspection, 1)}
        db.session.rollback()
