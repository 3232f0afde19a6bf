"""Quarterly rollups: the row holds the figures the areas' own services give; running twice
gives one row; a finished quarter is frozen unless recomputed on purpose; the nightly fan-out
enqueues every town once, in jobs of up to BATCH towns under stable ids."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from jobs.rollups import BATCH, rollup_job_id, rollup_town, rollup_towns, rollups_due, run_progress
from tenants.models import Town, TownStatus
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


def test_the_nightly_fan_out_enqueues_each_town_once_in_batches_and_skips_frozen_quarters(app, world, stack):
    from redis import Redis
    from rq import Queue, SimpleWorker

    queue = Queue("rollups", connection=Redis.from_url(stack.redis_url))
    queue.empty()
    with app.app_context():
        towns = rollups_due("2038-07-03")
        rollups_due("2038-07-03")  # a second fan-out the same day adds nothing
        active = db.session.scalars(select(Town.id).where(Town.status == TownStatus.active)).all()
        db.session.remove()
    jobs = [queue.fetch_job(i) for i in queue.job_ids]
    assert towns == len(active) >= 3 and len(jobs) == len(set(queue.job_ids))
    assert all(j.func_name == "jobs.rollups.rollup_towns" and j.args[1] == [[2038, 2], [2038, 3]] for j in jobs)
    assert all(0 < len(j.args[0]) <= BATCH and len({t // BATCH for t in j.args[0]}) == 1 for j in jobs)
    assert sorted(t for j in jobs for t in j.args[0]) == sorted(active)  # every active town, once

    def computed(town_ids):
        with app.app_context():
            rows = db.session.execute(select(Rollup.town_id, Rollup.quarter, Rollup.frozen, Rollup.computed_at).where(
                Rollup.town_id.in_(town_ids), Rollup.year == 2038)).all()
            db.session.remove()
        return {(r.town_id, r.quarter): (r.frozen, r.computed_at) for r in rows}

    mine = [world.town_a, world.town_b, world.town_c]
    with app.app_context():
        before = run_progress(date(2038, 7, 3))
        assert before["towns"] == len(active) and before["towns_done"] == 0 and before["percent"] == 0
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
        progress = run_progress(date(2038, 7, 3))
    assert all(j.get_status(refresh=True) == "finished" for j in jobs)
    assert progress["towns"] == progress["towns_done"] >= len(active) and progress["percent"] == 100
    first = computed(mine)
    assert {k: v[0] for k, v in first.items()} == {(t, q): q == 2 for t in mine for q in (2, 3)}
    for job in jobs:
        result = job.return_value()
        assert result["towns"] == len(job.args[0]) and not set(result["handed_over"]) & set(mine)

    # the next night: the finished quarter is frozen, so it is not even computed again
    queue.empty()
    with app.app_context():
        rollups_due("2038-07-04")
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    second = computed(mine)
    for town_id in mine:
        assert second[(town_id, 2)] == first[(town_id, 2)]
        assert second[(town_id, 3)][1] > first[(town_id, 3)][1]
    queue.empty()


def test_a_town_that_fails_inside_a_batch_gets_a_job_of_its_own_and_the_others_are_written(
        app, world, stack, monkeypatch):
    from redis import Redis
    from rq import Queue

    import webapp.committees.rollups as rollups

    queue = Queue("rollups", connection=Redis.from_url(stack.redis_url))
    queue.empty()
    compute = rollups.compute_figures

    def broken_for_town_b(town, *args, **kwargs):
        if town.id == world.town_b:
            raise RuntimeError("bad data in this town")
        return compute(town, *args, **kwargs)

    monkeypatch.setattr(rollups, "compute_figures", broken_for_town_b)
    with app.app_context():
        result = rollup_towns([world.town_a, world.town_b, world.town_c], [[2039, 1]], "2039-02-10")
    assert result == {"towns": 3, "written": 2, "handed_over": [world.town_b]}
    assert queue.job_ids == [rollup_job_id(world.town_b, 2039, 1, date(2039, 2, 10))]
    # the batch counts the town already: its own job is not one more town in the day's run
    assert queue.connection.hget("liaison:rollups:run:2039-02-10:towns", queue.job_ids[0]) == b"0"
    with app.app_context():
        written = db.session.scalars(select(Rollup.town_id).where(Rollup.year == 2039)).all()
        db.session.remove()
    assert sorted(written) == sorted([world.town_a, world.town_c])

    # the database unreachable is not one town's bad data: the batch fails whole, to be retried
    def unreachable(town, *args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(rollups, "compute_figures", unreachable)
    with app.app_context(), pytest.raises(OperationalError):
        rollup_towns([world.town_a, world.town_c], [[2039, 2]], "2039-05-10")
    assert len(queue.job_ids) == 1  # nobody handed over

    monkeypatch.setattr(rollups, "compute_figures", compute)
    with app.app_context():  # the town's own job, once its data is mended
        job = queue.fetch_job(queue.job_ids[0])
        assert job.perform() is True
    queue.empty()


def test_the_scorecard_rates_each_expectation_and_the_committee_sees_its_towns_sorted(app, world, client_as):
    from webapp.committees.models import Committee
    from webapp.committees.rollups import scorecard, write_rollup

    figures = {"cadence": [{"code": "weekly_deliberation", "cadence": "weekly", "periods": 13, "expected": 13,
                            "held": 13, "met": 13},
                           {"code": "joint_meeting", "cadence": "quarterly", "periods": 2, "expected": 2, "held": 1,
                            "met": 1},
                           {"code": "annual_summary", "cadence": "yearly", "periods": 1, "expected": 1, "held": 0,
                            "met": 0}],
               "opinions": {"on_time_pct": 95.0, "satisfaction_pct": 80.0},
               "findings": {"overdue": 3}, "checkpoints_missed": {"briefing": 0, "inspection": 0},
               "deputies": {"participation_pct": 40.0}}
    card = scorecard(figures)
    levels = {i["key"]: i["level"] for i in card["items"]}
    assert levels == {"cadence:weekly_deliberation": "met", "cadence:joint_meeting": "partly",
                      "cadence:annual_summary": "missed", "opinions:on_time_pct": "met",
                      "opinions:satisfaction_pct": "partly", "findings:overdue": "missed", "checkpoints": "met",
                      "deputies:participation_pct": "missed"}
    assert card["score"] == round(100 * (3 + 2 * 0.5) / 8) == 50 and card["rag"] == "red"
    good = {**figures, "findings": {"overdue": 0}, "deputies": {"participation_pct": 90.0},
            "cadence": figures["cadence"][:1]}
    assert scorecard(good)["rag"] == "green"

    with app.app_context():
        write_rollup(world.town_a, 2033, 1, good, provisional=False, force=True)
        write_rollup(world.town_b, 2033, 1, figures, provisional=False, force=True)
        write_rollup(world.town_c, 2033, 1, good, provisional=False, force=True)  # outside the jurisdiction
        slug = db.session.get(Committee, world.committee).slug
        names = {t: db.session.get(Town, t).slug for t in (world.town_a, world.town_b, world.town_c)}
        db.session.remove()
    page = client_as("committee").get(f"/c/{slug}/scorecard?quarter=2033Q1&compare=2032Q4")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="distribution"' in html
    assert html.index(f'town-{names[world.town_a]}') < html.index(f'town-{names[world.town_b]}')
    assert f'town-{names[world.town_a]}" data-rag="green"' in html and f'town-{names[world.town_b]}" data-rag="red"' in html
    assert f"town-{names[world.town_c]}" not in html
    assert client_as("other_committee").get(f"/c/{slug}/scorecard").status_code == 404
    assert client_as("committee").get(f"/c/{slug}/scorecard?quarter=nonsense").status_code == 200


def test_a_notice_goes_to_the_town_is_answered_and_accepted_or_returned(app, world, client_as):
    from webapp.committees.models import Committee, NoticeState, SupervisionNotice

    with app.app_context():
        slug = db.session.get(Committee, world.committee).slug
        town_a, town_c = db.session.get(Town, world.town_a).slug, db.session.get(Town, world.town_c).slug
        db.session.remove()
    committee = client_as("committee")
    refused = committee.post(f"/c/{slug}/notices/new", data={"town": town_c, "topic": "cadence", "subject": "越权",
                                                              "body": "x", "due_on": "2099-01-01"})
    assert refused.status_code == 400  # a town outside the jurisdiction
    assert committee.post(f"/c/{slug}/notices/new", data={"town": town_a, "topic": "cadence", "subject": "补开季联席",
                                                           "body": "x", "due_on": "2020-01-01"}).status_code == 400
    sent = committee.post(f"/c/{slug}/notices/new", data={
        "town": town_a, "topic": "cadence", "subject": "第三季度未召开季联席会议", "body": "请说明原因并补开。",
        "due_on": "2099-01-01"})
    assert sent.status_code == 302
    notice_id = int(sent.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    from jobs.notify import notice_arrived

    told = notice_arrived(world.town_a, notice_id)  # what the worker runs after the commit
    assert told >= 2 and notice_arrived(world.town_a, notice_id) == 0  # the admin and the staff, once
    staff = client_as("a_staff")
    assert "第三季度未召开季联席会议" in staff.get(f"/t/{town_a}/notifications").get_data(as_text=True)
    assert "第三季度未召开季联席会议" in staff.get(f"/t/{town_a}/notices/").get_data(as_text=True)
    assert client_as("b_staff").get(f"/t/{town_a}/notices/{notice_id}").status_code == 404
    assert committee.post(f"/t/{town_a}/notices/{notice_id}/respond", data={"actions": "x"}).status_code == 403
    assert staff.post(f"/t/{town_a}/notices/{notice_id}/respond", data={"actions": " "}).status_code == 400
    assert staff.post(f"/t/{town_a}/notices/{notice_id}/respond",
                      data={"actions": "已于10月20日补开季联席会议。"}).status_code == 302
    assert committee.post(f"/c/{slug}/notices/{notice_id}/decide", data={"decision": "return"}).status_code == 400
    assert committee.post(f"/c/{slug}/notices/{notice_id}/decide",
                          data={"decision": "return", "note": "请附会议记录"}).status_code == 302
    assert staff.post(f"/t/{town_a}/notices/{notice_id}/respond",
                      data={"actions": "会议记录见附件。"}).status_code == 302
    assert committee.post(f"/c/{slug}/notices/{notice_id}/decide", data={"decision": "accept"}).status_code == 302
    with app.app_context():
        notice = db.session.get(SupervisionNotice, notice_id)
        assert notice.state == NoticeState.accepted
        assert [e.action for e in notice.events] == ["issue", "respond", "return", "respond", "accept"]
        db.session.remove()
    assert client_as("other_committee").get(f"/c/{slug}/notices/{notice_id}").status_code == 404


def test_a_towns_compliance_expectations_score_its_rollups_and_stay_with_each_row(app, world):
    from tenants import templates as town_templates
    from webapp.committees.rollups import DEFAULT_EXPECTATIONS, scorecard

    figures = {"cadence": [], "opinions": {"on_time_pct": 92.0, "satisfaction_pct": 80.0},
               "findings": {"overdue": 1}, "checkpoints_missed": {"briefing": 0, "inspection": 0},
               "deputies": {"participation_pct": 85.0}}
    default = {i["key"]: i["level"] for i in scorecard(figures)["items"]}
    assert default == {"opinions:on_time_pct": "met", "opinions:satisfaction_pct": "partly",
                       "findings:overdue": "partly", "checkpoints": "met", "deputies:participation_pct": "met"}
    strict = {**DEFAULT_EXPECTATIONS, "on_time_pct": [95, 80], "findings_overdue": [1, 1]}
    levels = {i["key"]: (i["level"], i.get("target")) for i in scorecard({**figures, "expectations": strict})["items"]}
    assert levels["opinions:on_time_pct"] == ("partly", 95) and levels["findings:overdue"] == ("met", 1)

    # the town's template settings are stored with each computed row
    with app.app_context():
        town = db.session.get(Town, world.town_c)
        before = dict(town.settings)
        town.settings = {**before, "compliance": {"on_time_pct": [95, 80]}}
        db.session.commit()
        db.session.remove()
    try:
        with app.app_context(), bound_to(world.town_c) as town:
            computed = compute_figures(town, YEAR, 3, today=date(YEAR, 8, 1))
            assert computed["expectations"]["on_time_pct"] == [95, 80]
            assert computed["expectations"]["participation_pct"] == DEFAULT_EXPECTATIONS["participation_pct"]
            db.session.rollback()
    finally:
        with app.app_context():
            db.session.get(Town, world.town_c).settings = before
            db.session.commit()
            db.session.remove()

    # a template's expectations are checked like the rest of it
    bundle = {**town_templates.builtin("minimal"), "settings": {
        **town_templates.builtin("minimal")["settings"],
        "compliance": {"on_time_pct": [60, 90], "findings_overdue": [3, 1], "speed": [1, 2]}}}
    assert len(town_templates.validate(bundle)) == 3


def test_the_scorecard_page_renders_its_towns_again_only_when_what_it_shows_changed(app, world, client_as,
                                                                                  monkeypatch):
    """The towns' part of the page is kept per committee, quarters and language while its data
    stays as it was; a rollup written, a town renamed or another language shows at once. Only
    the quarters the page offers are kept."""
    from webapp.committees.rollups import previous_quarter, quarter_of

    from webapp.committees import scorecard_views
    from webapp.committees.models import Committee
    from webapp.committees.rollups import write_rollup

    renders = []
    render = scorecard_views._render_body
    monkeypatch.setattr(scorecard_views, "_BODIES", OrderedDict())  # nothing kept by earlier tests
    monkeypatch.setattr(scorecard_views, "_bodies_chars", 0)
    monkeypatch.setattr(scorecard_views, "_render_body", lambda *args: renders.append(args[1:3]) or render(*args))
    figures = {"cadence": [], "opinions": {"on_time_pct": 95.0, "satisfaction_pct": 95.0}, "findings": {"overdue": 0},
               "checkpoints_missed": {"briefing": 0, "inspection": 0}, "deputies": {"participation_pct": 90.0}}
    with app.app_context():
        slug = db.session.get(Committee, world.committee).slug
        town_a = db.session.get(Town, world.town_a)
        town_slug, town_name = town_a.slug, town_a.name
        db.session.remove()
    client = client_as("committee")
    year, quarter = current = quarter_of(date.today())
    url = f"/c/{slug}/scorecard?quarter={year}Q{quarter}&compare={'Q'.join(map(str, previous_quarter(*current)))}"

    def row() -> str:
        html = client.get(url).get_data(as_text=True)
        return html[html.index(f'data-testid="town-{town_slug}"'):].split("</tr>", 1)[0]

    first = row()
    assert row() == first and len(renders) == 1  # the same data: the kept HTML
    with app.app_context():
        write_rollup(world.town_a, year, quarter, figures, provisional=True)
    assert 'data-rag="green"' in row() and len(renders) == 2
    assert 'data-rag="green"' in row() and len(renders) == 2
    with app.app_context():
        worse = {**figures, "opinions": {"on_time_pct": 10.0, "satisfaction_pct": 10.0}, "findings": {"overdue": 9}}
        write_rollup(world.town_a, year, quarter, worse, provisional=True)
    assert 'data-rag="red"' in row() and len(renders) == 3
    try:
        with app.app_context():
            db.session.get(Town, world.town_a).name = "改名测试镇"
            db.session.commit()
        assert "改名测试镇" in row() and len(renders) == 4
    finally:
        with app.app_context():
            db.session.get(Town, world.town_a).name = town_name
            db.session.commit()
    assert town_name in row() and len(renders) == 5
    with client.session_transaction() as session:
        session["lang"] = "en"
    english = client.get(url).get_data(as_text=True)
    assert len(renders) == 6 and "Compared with" in english and "相比" not in english
    with client.session_transaction() as session:
        session["lang"] = "zh_Hans_CN"
    assert town_name in row() and len(renders) == 6  # the Chinese one is still kept
    far = f"/c/{slug}/scorecard?quarter=2039Q3&compare=2039Q2"  # not offered by the page: not kept
    assert client.get(far).status_code == client.get(far).status_code == 200 and len(renders) == 8
    assert len(scorecard_views._BODIES) == 2  # Chinese and English
    monkeypatch.setattr(scorecard_views, "_BODIES_MAX_CHARS", 1)  # room for one body only
    earlier = "Q".join(map(str, previous_quarter(*previous_quarter(*current))))
    assert client.get(f"/c/{slug}/scorecard?quarter={year}Q{quarter}&compare={earlier}").status_code == 200
    assert list(scorecard_views._BODIES) == [(world.committee, current, previous_quarter(*previous_quarter(*current)),
                                              "zh_Hans_CN")]  # the least recently used went first
