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
        supervision = conn.execute(text("SELECT (SELECT count(*) FROM town_yinzhuang.projects), "
                                        "(SELECT count(*) FROM town_yinzhuang.supervision_records), "
                                        "(SELECT count(*) FROM town_yinzhuang.findings), "
                                        "(SELECT count(*) FROM town_yinzhuang.finding_events), "
                                        "(SELECT count(*) FROM town_yinzhuang.ballots)")).one()
    return counts + (notices, groups, tuple(ledger), tuple(supervision))


def test_the_demo_seed_is_complete_and_idempotent(app_ctx, world):
    lines = seed()
    first = _state()
    assert seed() == lines
    assert _state() == first
    slugs = set(db.session.scalars(select(Town.slug)))
    assert {"yinzhuang", "hanguguan", "yuling", "yangdian", "daying"} <= slugs
    for username in ("operator", "yz_admin", "yz_staff", "yz_deputy", "yz_presidium", "hg_admin", "lb_committee"):
        assert any(line.strip().startswith(username) for line in lines), username
    notices, groups, (opinions, events, units), (projects, records, findings, _steps, ballots) = first[-4:]
    assert notices >= 4 and groups == 4  # a welcome per yinzhuang role; the four groups
    assert opinions > 200 and events > 5 * opinions and units == 12 + 18  # the ledger, once
    assert projects == 32 and records > 60 and findings > 25 and ballots >= 3  # the five ones, once


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


def test_yinzhuang_has_two_years_of_key_projects_and_the_five_ones(app_ctx, world):
    from webapp.deputies.models import Deputy
    from webapp.notifications.models import Notification
    from webapp.projects.alerts import checkpoint_alerts
    from webapp.projects.models import (Finding, FindingState, Phase, Project, ProjectReview, RecordKind,
                                        SupervisionFile, SupervisionGroup, SupervisionRecord)
    from webapp.projects.services import five_ones, missed_checkpoints, result

    seed()
    today = date.today()
    year, last = today.year, today.year - 1
    town = db.session.scalar(select(Town).where(Town.slug == "yinzhuang"))
    deputy_user = db.session.scalar(select(User.id).where(User.username == "yz_deputy"))
    with bound_to(town.id) as town:
        projects = db.session.scalars(select(Project).order_by(Project.id)).all()
        this_year = [p for p in projects if p.year == year]
        last_year = {p.id: p for p in projects if p.year == last}

        # last year's 16 and this year's 7 new + 9 continuing, each continuing one pointing at last year's
        assert len(last_year) == 16 and len(this_year) == 16
        continuing = [p for p in this_year if p.continuing]
        assert len(continuing) == 9 and len(this_year) - len(continuing) == 7
        for p in continuing:
            before = last_year[p.continues_id]
            assert (before.name, before.unit_id, before.group_id) == (p.name, p.unit_id, p.group_id)
            assert before.progress <= p.progress
        for p in projects:
            assert p.unit_id and p.group_id and p.budget and p.location and p.milestones
            assert (p.progress == 100) == (p.phase in (Phase.delivered, Phase.review)), p.name
            assert all(m.done_on is None or m.done_on <= today for m in p.milestones)

        # every group has a leader among four to six members more
        groups = db.session.scalars(select(SupervisionGroup)).all()
        for group in groups:
            assert group.leader_deputy_id in {d.id for d in group.members} and 5 <= len(group.members) <= 7
        led = {g.code: db.session.get(Deputy, g.leader_deputy_id) for g in groups}
        assert led["industrial_development"].user_id == deputy_user  # the demo deputy leads a group

        # briefings and inspections with their attendees; the half-year report; findings in every state
        records = db.session.scalars(select(SupervisionRecord)).all()
        kinds = Counter((r.kind, r.day.year) for r in records)
        assert kinds[(RecordKind.briefing, last)] >= 40 and kinds[(RecordKind.inspection, last)] == 16
        assert kinds[(RecordKind.half_year_report, last)] == 1 and kinds[(RecordKind.annual_review, last)] == 1
        assert all(r.day < today and r.attendees for r in records)
        assert all(r.projects for r in records)
        half = next(r for r in records if r.kind == RecordKind.half_year_report)
        assert len(half.attendees) == 12 and len(half.suggestions.splitlines()) == 20
        findings = db.session.scalars(select(Finding)).all()
        assert {f.state for f in findings} == set(FindingState)
        assert 1 <= sum(f.overdue(today) for f in findings) <= 2
        with_files = set(db.session.scalars(select(SupervisionFile.finding_id)
                                            .where(SupervisionFile.finding_id.is_not(None))))
        for f in findings:
            assert f.record.kind == RecordKind.inspection and f.record.day <= (f.rectified_on or today)
            if f.state in (FindingState.rectified, FindingState.verified):
                assert f.evidence and f.id in with_files and f.unit_id
            if f.state == FindingState.verified:
                assert f.rectified_on <= f.verified_on <= today and f.verified_by
            stamps = [e.created_at for e in f.events]
            assert stamps == sorted(stamps) and f.events[-1].to_state == f.state.value
        assert any(e.action == "reject" for f in findings for e in f.events)
        assert sum(f.state == FindingState.verified for f in findings) > len(findings) / 2

        # a group missed a checkpoint (the industrial group, two recent months)
        missed = missed_checkpoints(town, year, today) + missed_checkpoints(town, last, today)
        assert {m.group_id for m in missed} >= {g.id for g in groups if g.code == "industrial_development"}

        # last December's annual review: 16 projects, 6 at 100%, one or two below the pass mark
        review = next(r for r in records if r.kind == RecordKind.annual_review)
        assert review.day.year == last and review.day.month == 12
        votes = db.session.scalars(select(ProjectReview).where(ProjectReview.record_id == review.id)).all()
        outcomes = [result(v) for v in votes]
        assert len(votes) == 16 and {v.project_id for v in votes} == set(last_year)
        assert sum(o.rate == 100 for o in outcomes) == 6
        assert 1 <= sum(o.passed is False for o in outcomes) <= 2
        assert sum(o.passed for o in outcomes) >= 14
        assert all(v.threshold == five_ones(town)["pass_threshold"] and v.closed for v in votes)
        for v, o in zip(votes, outcomes):
            assert o.total <= sum(v.present.values()) and v.present["deputies"] == len(review.attendees)
        assert any(b.vote is not None for v in votes for b in v.ballots)

        # the daily alerts have something to say, once; the demo deputy hears of their group
        told = checkpoint_alerts(town, today)
        assert checkpoint_alerts(town, today).total == 0
        notices = db.session.scalars(select(Notification).where(Notification.user_id == deputy_user,
                                                                Notification.kind == "checkpoint_missed")).all()
        assert told.missed >= 1 and told.overdue >= 1 and notices


def test_yinzhuang_has_last_years_evaluation_closed_and_this_years_open(app_ctx, world):
    from webapp.activities.models import Activity, ActivityInvitee, ActivityType
    from webapp.evaluations.models import EvaluationResult, EvaluationYear, Objection, YearState
    from webapp.evaluations.services import sheets

    seed()
    town = db.session.scalar(select(Town).where(Town.slug == "yinzhuang"))
    this = date.today().year
    with bound_to(town.id):
        years = {y.year: y for y in db.session.scalars(select(EvaluationYear))}
        assert set(years) == {this - 1, this}
        last, current = years[this - 1], years[this]
        assert last.state == YearState.closed and current.state == YearState.open and current.computed_at
        results = list(db.session.scalars(select(EvaluationResult).where(EvaluationResult.year_id == last.id)
                                          .order_by(EvaluationResult.rank)))
        assert len(results) >= 40 and results[0].rank == 1
        outstanding = [r for r in results if r.outstanding]
        excellent = [r for r in results if r.grade == "excellent"]
        quota = last.snapshot["outstanding_count"]
        assert len(outstanding) == min(quota, len(excellent))  # the shortlist: the excellent, up to the quota
        assert len(outstanding) >= 10 and set(Counter(r.grade for r in results)) == {
            "excellent", "competent", "basically_competent", "incompetent"}
        states = Counter(o.state.value for o in db.session.scalars(select(Objection).where(
            Objection.year_id == last.id)))
        assert states == {"accepted": 1, "rejected": 1}
        sessions = db.session.scalar(select(func.count()).select_from(ActivityInvitee)
                                     .join(Activity, Activity.id == ActivityInvitee.activity_id)
                                     .join(ActivityType, ActivityType.id == Activity.type_id)
                                     .where(ActivityType.code == "congress_session",
                                            ActivityInvitee.checked_in_at.is_not(None)))
        assert sessions >= 2 * 40
        provisional = sheets(current)
        assert len(provisional) >= 40
        assert any(line.code == "attend_session" and line.count == 1 for s in provisional for line in s.lines)


def test_every_demo_town_has_a_year_of_quarterly_rollups(app_ctx, world):
    from webapp.committees.models import Rollup
    from webapp.committees.rollups import scorecard

    seed()
    seed()  # once per town and quarter
    yinzhuang = db.session.scalar(select(Town.id).where(Town.slug == "yinzhuang"))
    rows = db.session.scalars(select(Rollup).where(Rollup.town_id == yinzhuang)).all()
    assert len(rows) == 4 and sum(r.provisional for r in rows) == 1
    latest = max(rows, key=lambda r: (r.year, r.quarter))
    assert latest.figures["opinions"]["received"] > 0 and scorecard(latest.figures)["score"] is not None


def test_the_demo_committee_supervises_three_towns_one_to_one(app_ctx, world):
    from datetime import date

    from webapp.committees.models import Committee, NoticeState, SupervisionNotice

    seed()
    seed()  # once
    committee = db.session.scalar(select(Committee).where(Committee.slug == "lingbao"))
    notices = db.session.scalars(select(SupervisionNotice).where(SupervisionNotice.committee_id == committee.id)
                                 .where(SupervisionNotice.issued_by.is_not(None))).all()
    demo = [n for n in notices if n.subject in ("督促办结超期群众意见", "问题整改未按期完成", "每周议事活动未按要求开展")]
    assert sorted(n.state.value for n in demo) == ["accepted", "answered", "issued"]
    overdue = [n for n in demo if n.overdue(date.today())]
    assert len(overdue) == 1 and overdue[0].state == NoticeState.issued
    accepted = next(n for n in demo if n.state == NoticeState.accepted)
    assert [e.action for e in accepted.events] == ["issue", "respond", "accept"]
    assert accepted.events[0].created_at < accepted.events[1].created_at < accepted.events[2].created_at


def test_the_demo_offers_a_town_template_an_open_invitation_code_and_spare_schemas(app_ctx, world):
    from tenants.pool import spare_count
    from webapp.committees.models import Committee
    from webapp.onboarding.services import find_invitation, template_choices

    lines = seed()
    line = next(line for line in lines if "/onboard/" in line)
    invitation = find_invitation(line.rsplit(" ", 1)[1])
    assert invitation is not None and invitation.used_at is None and invitation.template_key == "yinzhuang_2026"
    committee = db.session.scalar(select(Committee).where(Committee.slug == "lingbao"))
    assert "yinzhuang_2026" in {c.key for c in template_choices(committee)}
    assert spare_count() >= 1
