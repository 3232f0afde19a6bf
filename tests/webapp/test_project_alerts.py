"""Checkpoint alerts of the five ones (issue #6, item 4): a missed briefing or inspection and
an overdue rectification tell the town's staff and the group's leader once; the daily
fan-out enqueues one job per town under a stable id. And the five ones in the deputy's file
(item 6): the briefings, inspections, half-year reports and reviews attended, the groups led
or joined, in a fixed number of queries."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select

from tenants.models import Town
from webapp.access import bound_to
from webapp.accounts.services import create_user
from webapp.deputies import file as deputy_file
from webapp.deputies.models import DeputyLevel
from webapp.deputies.services import create_deputy
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.opinions.models import ResponsibleUnit
from webapp.projects.file_sections import record_kind_labels
from webapp.projects.models import ProjectKind, RecordKind, SupervisionGroup
from webapp.projects.services import (add_file, add_finding, create_project, create_record, finding_step,
                                      set_members)

from .test_isolation import tiny_png
from ..conftest import PASSWORD, unique

YEAR = 2033  # no other test has projects in this year


def _notices(user_id: int, kind: str, finding_id: int) -> list[Notification]:
    """This test's notices of a kind to one person: missed checkpoints of YEAR, or about the finding."""
    key = f"checkpoint:%:{YEAR}:%" if kind == "checkpoint_missed" else f"finding-overdue:{finding_id}:%"
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user_id, Notification.kind == kind, Notification.dedupe_key.like(key))
        .order_by(Notification.id)))


def test_the_alert_job_run_twice_tells_once_and_reaches_the_leader(app, world):
    from jobs.projects import send_checkpoint_alerts

    with app.app_context():
        leader_user = create_user(username=unique("leader"), display_name="组长 测试", password=PASSWORD)
        db.session.commit()
        leader_user_id = leader_user.id
    with app.app_context(), bound_to(world.town_a) as town:
        slug = town.slug
        group = db.session.scalar(select(SupervisionGroup).where(SupervisionGroup.code == "rural_revitalization"))
        leader = create_deputy(actor=None, data={"name": "提醒组长", "level": DeputyLevel.town})
        member = create_deputy(actor=None, data={"name": "提醒组员", "level": DeputyLevel.town})
        leader.user_id = leader_user_id
        set_members(group, actor=None, leader_id=leader.id, member_ids=[member.id])
        unit = db.session.scalar(select(ResponsibleUnit).order_by(ResponsibleUnit.id))
        project = create_project(actor=None, data={"year": YEAR, "name": "提醒测试道路", "kind": ProjectKind.key,
                                                   "group_id": group.id, "unit_id": unit.id})
        for month in (1, 2):
            create_record(actor=None, kind=RecordKind.briefing,
                          data={"group_id": group.id, "day": date(YEAR, month, 20)})
        inspection = create_record(actor=None, kind=RecordKind.inspection,
                                   data={"group_id": group.id, "day": date(YEAR, 2, 20)})
        late = add_finding(inspection, actor=None, description="排水沟未按设计施工", project_id=project.id)
        finding_step(late, "assign", actor=None, data={"unit_id": unit.id, "due_on": date(YEAR, 3, 10)},
                     today=date(YEAR, 2, 21))
        fixed = add_finding(inspection, actor=None, description="围挡不完整", project_id=project.id)
        finding_step(fixed, "assign", actor=None, data={"unit_id": unit.id, "due_on": date(YEAR, 3, 10)},
                     today=date(YEAR, 2, 21))
        finding_step(fixed, "rectify", actor=None, data={"evidence": "已补齐围挡"}, today=date(YEAR, 3, 1))
        add_file(finding=fixed, filename="after.png", content=tiny_png(), actor=None)
        finding_step(fixed, "verify", actor=None, today=date(YEAR, 3, 3))
        late_id, group_id = late.id, group.id

    # 2 April: March's briefing was missed, the first finding is overdue (the verified one is not)
    assert send_checkpoint_alerts(world.town_a, f"{YEAR}-04-02") == 2
    assert send_checkpoint_alerts(world.town_a, f"{YEAR}-04-02") == 0  # twice the same day: once
    assert send_checkpoint_alerts(world.town_a, f"{YEAR}-04-03") == 0  # and nothing new the next day
    with app.app_context(), bound_to(world.town_a):
        for user_id in (world.users["a_admin"], world.users["a_staff"], leader_user_id):
            missed = _notices(user_id, "checkpoint_missed", late_id)
            overdue = _notices(user_id, "finding_overdue", late_id)
            assert len(missed) == 1 and f"briefing:{group_id}:{YEAR}:monthly:2:" in missed[0].dedupe_key
            assert "乡村振兴组" in missed[0].title and f"{YEAR}-03" in missed[0].title
            assert missed[0].link == f"/t/{slug}/projects/?year={YEAR}"  # the board lists the missed checkpoints
            assert [n.link for n in overdue] == [f"/t/{slug}/projects/findings/{late_id}"]
            assert "排水沟未按设计施工" in overdue[0].title and f"{YEAR}-03-10" in overdue[0].body
        for kind in ("checkpoint_missed", "finding_overdue"):  # a deputy who does not lead the group: nothing
            assert not _notices(world.users["a_deputy"], kind, late_id)

    # 1 May: April's briefing is missed too (once); a new deadline for the finding, missed again, tells again
    assert send_checkpoint_alerts(world.town_a, f"{YEAR}-05-01") == 1
    with app.app_context(), bound_to(world.town_a):
        from webapp.projects.models import Finding

        finding_step(db.session.get(Finding, late_id), "assign", actor=None,
                     data={"unit_id": _unit_id(), "due_on": date(YEAR, 5, 20)},
                     today=date(YEAR, 5, 1))
    assert send_checkpoint_alerts(world.town_a, f"{YEAR}-05-02") == 0
    assert send_checkpoint_alerts(world.town_a, f"{YEAR}-05-21") == 1
    assert send_checkpoint_alerts(world.town_a, f"{YEAR}-05-22") == 0
    with app.app_context(), bound_to(world.town_a):
        assert len(_notices(leader_user_id, "finding_overdue", late_id)) == 2
        assert len(_notices(leader_user_id, "checkpoint_missed", late_id)) == 2
        assert len(_notices(world.users["a_admin"], "checkpoint_missed", late_id)) == 2


def _unit_id() -> int:
    return db.session.scalar(select(ResponsibleUnit.id).order_by(ResponsibleUnit.id))


def test_in_january_last_years_december_is_told(app, world):
    """December's briefing is missed only on New Year's Day: the January runs look back a year."""
    from webapp.projects.alerts import checkpoint_alerts

    year = YEAR + 2
    with app.app_context(), bound_to(world.town_b) as town:
        group = db.session.scalar(select(SupervisionGroup).where(SupervisionGroup.code == "industrial_development"))
        create_project(actor=None, data={"year": year, "name": "跨年提醒测试", "kind": ProjectKind.key,
                                         "group_id": group.id})
        for month in range(1, 12):
            create_record(actor=None, kind=RecordKind.briefing,
                          data={"group_id": group.id, "day": date(year, month, 9)})
        for month in (2, 5, 8, 11):
            create_record(actor=None, kind=RecordKind.inspection, data={"group_id": group.id,
                                                                        "day": date(year, month, 9)})
        assert checkpoint_alerts(town, date(year, 12, 31)).missed == 0
        told = checkpoint_alerts(town, date(year + 1, 1, 2))
        assert told.missed == 1 and told.notices >= 1  # December's briefing, to the station admin at least
        assert checkpoint_alerts(town, date(year + 1, 1, 3)).total == 0


def test_the_daily_fan_out_enqueues_one_job_per_town_once(app, world, stack):
    from redis import Redis
    from rq import Queue, SimpleWorker

    from jobs.projects import checkpoint_alerts_due
    from jobs.scheduler import registry
    from tenants.models import TownStatus

    task = next(t for t in registry() if t.name == "checkpoint-alerts")
    assert (task.func, task.queue, task.every, task.offset) == (checkpoint_alerts_due, "notify", timedelta(days=1),
                                                                timedelta(minutes=45))  # 08:45 Beijing
    queue = Queue("notify", connection=Redis.from_url(stack.redis_url))
    queue.empty()
    day = f"{YEAR}-06-04"
    with app.app_context():
        towns = db.session.scalars(select(Town.id).where(Town.status == TownStatus.active)).all()
        assert checkpoint_alerts_due(day) == len(towns) >= 3
        checkpoint_alerts_due(day)  # a second fan-out the same day adds nothing
    assert sorted(queue.job_ids) == sorted(f"checkpoint-alerts-{t}-{day}" for t in towns)
    assert {queue.fetch_job(j).func_name for j in queue.job_ids} == {"jobs.projects.send_checkpoint_alerts"}
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    failed = queue.failed_job_registry.get_job_ids()
    assert not [j for j in failed if j.startswith("checkpoint-alerts-")]
    queue.empty()


# --- the deputy's file ----------------------------------------------------------------------

@contextlib.contextmanager
def counting():
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _sections(deputy_id: int, start: date, end: date) -> dict[str, list]:
    return {key: deputy_file.SECTIONS[key].collect(deputy_id, start, end)
            for key in ("supervision", "supervision_groups")}


def test_the_deputys_file_shows_the_five_ones_attended_and_the_groups(app, world):
    this_year = date.today().year
    with app.app_context(), bound_to(world.town_b):
        groups = {g.code: g for g in db.session.scalars(select(SupervisionGroup))}
        leader = create_deputy(actor=None, data={"name": "督导组长", "level": DeputyLevel.town})
        busy = create_deputy(actor=None, data={"name": "督导组员", "level": DeputyLevel.town})
        rural, urban = groups["rural_revitalization"], groups["urban_construction"]
        set_members(rural, actor=None, leader_id=leader.id, member_ids=[busy.id])
        set_members(urban, actor=None, leader_id=None, member_ids=[leader.id])
        name = unique("档案道路")
        create_project(actor=None, data={"year": this_year, "name": name, "kind": ProjectKind.key,
                                         "group_id": rural.id})
        days = [date(this_year, 1, 12), date(this_year, 2, 12), date(this_year - 1, 11, 3)]
        for day in days:
            create_record(actor=None, kind=RecordKind.briefing,
                          data={"group_id": rural.id, "day": day, "attendee_ids": [leader.id, busy.id]})
        create_record(actor=None, kind=RecordKind.inspection,
                      data={"group_id": rural.id, "day": date(this_year, 2, 20), "attendee_ids": [busy.id]})
        create_record(actor=None, kind=RecordKind.half_year_report,
                      data={"day": date(this_year, 1, 30), "attendee_ids": [busy.id, leader.id]})
        create_record(actor=None, kind=RecordKind.annual_review,
                      data={"day": date(this_year - 1, 12, 18), "attendee_ids": [busy.id]})
        db.session.flush()
        start, end = date(this_year - 1, 1, 1), date(this_year, 12, 31)

        with counting() as few:
            mine = _sections(leader.id, start, end)
        with counting() as many:
            theirs = _sections(busy.id, start, end)
        assert len(few) == len(many) <= 4  # two queries a section, whatever the number of records

        labels = {k: str(v) for k, v in record_kind_labels().items()}
        titles = sorted(e.title for e in theirs["supervision"])
        assert titles == sorted([f"{labels['briefing']} · {rural.name}"] * 3
                                + [f"{labels['inspection']} · {rural.name}", labels["half_year_report"],
                                   labels["annual_review"]])
        briefing = next(e for e in theirs["supervision"] if e.day == date(this_year, 1, 12))
        assert rural.name in briefing.title and name in briefing.detail
        assert all(e.link is None for e in theirs["supervision"])  # no request: no links (exports in jobs)
        assert [e.title for e in mine["supervision"] if e.day.year == this_year - 1] == [briefing.title]
        assert len(mine["supervision"]) == 4  # three briefings and the half-year report

        assert sorted(e.title for e in mine["supervision_groups"]) == sorted(
            [str(_l("Leads %(group)s", group=rural.name)), str(_l("Member of %(group)s", group=urban.name))])
        assert len(theirs["supervision_groups"]) == 1 and name in theirs["supervision_groups"][0].detail
        assert _sections(leader.id, date(this_year - 2, 1, 1), date(this_year - 2, 12, 31)) == {
            "supervision": [], "supervision_groups": []}

        assembled = deputy_file.assemble(busy, [this_year - 1, this_year])
        assert assembled.count(this_year, "supervision") == 4 and assembled.count(this_year - 1, "supervision") == 2
        assert assembled.count(this_year, "supervision_groups") == 1

        # with a request, a record links to its page once the page exists
        slug = db.session.get(Town, world.town_b).slug
        with app.test_request_context(f"/t/{slug}/deputies/{busy.id}/file"):
            links = {e.link for e in deputy_file.SECTIONS["supervision"].collect(busy.id, start, end)}
        if "projects.record" in app.view_functions and "projects.review_show" in app.view_functions:
            assert len(links) == 6 and all(link.startswith(f"/t/{slug}/projects/") for link in links)
            assert sum("/reviews/" in link for link in links) == 1  # the annual review: its votes' page
        else:  # the record pages are not there yet: no links rather than an error
            assert None in links
        db.session.rollback()
