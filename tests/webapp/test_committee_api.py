"""Committees in the API and around the notices: a committee's token reads its jurisdiction's
rollups and scorecard (nobody else's); notices issued, answered and decided through the API
apply once per Idempotency-Key, and a double-clicked page form issues one notice; overdue
notices remind the town's staff once a week; operators follow the rollups and recompute a town."""

from __future__ import annotations

import base64
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from jobs.notices import notice_overdue, notice_reminders_due
from jobs.rollups import rollup_town, run_progress
from tenants.models import Town
from webapp.access import bound_to
from webapp.committees.models import Committee, NoticeState, Rollup, SupervisionNotice
from webapp.extensions import db
from webapp.notifications.models import Notification

from ..conftest import unique

YEAR, QUARTER = 2037, 3


@pytest.fixture(scope="module")
def slugs(app, world):
    with app.app_context():
        out = {"committee": db.session.get(Committee, world.committee).slug,
               "a": db.session.get(Town, world.town_a).slug, "b": db.session.get(Town, world.town_b).slug,
               "c": db.session.get(Town, world.town_c).slug}
        db.session.remove()
    return out


def _token(client_as, username: str) -> str:
    page = client_as(username).post("/account/tokens", data={"name": unique("token")}).get_data(as_text=True)
    return re.search(r"<code>(lz_[^<]+)</code>", page).group(1)


def test_a_committee_token_reads_its_towns_rollups_and_scorecard(app, world, client, client_as, slugs):
    assert rollup_town(world.town_a, YEAR, QUARTER, "2037-08-15") is True
    assert rollup_town(world.town_c, YEAR, QUARTER, "2037-08-15") is True
    headers = {"Authorization": f"Bearer {_token(client_as, 'committee')}"}
    base = f"/api/v1/c/{slugs['committee']}"

    towns = client.get(f"{base}/towns", headers=headers).get_json()
    assert {t["slug"] for t in towns} >= {slugs["a"], slugs["b"]} and slugs["c"] not in {t["slug"] for t in towns}

    rollups = client.get(f"{base}/rollups?quarter={YEAR}Q{QUARTER}", headers=headers).get_json()
    assert [r["town"] for r in rollups] == [slugs["a"]]  # B has no row; C is outside the jurisdiction
    with app.app_context(), bound_to(world.town_a) as town:
        from webapp.committees.rollups import compute_figures

        direct = compute_figures(town, YEAR, QUARTER, date(2037, 8, 15))
        db.session.rollback()
    assert rollups[0]["figures"]["opinions"] == direct["opinions"] and rollups[0]["provisional"] is True

    card = client.get(f"{base}/scorecard?quarter={YEAR}Q{QUARTER}", headers=headers).get_json()
    assert card["quarter"] == f"{YEAR}Q{QUARTER}" and card["compare"] == f"{YEAR}Q{QUARTER - 1}"
    first, *rest = card["towns"]
    assert first["town"] == slugs["a"] and first["score"] is not None and first["rag"] in ("green", "amber", "red")
    assert {i["level"] for i in first["items"]} <= {"met", "partly", "missed"}
    assert all(line["score"] is None for line in rest)  # towns without a rollup come last

    bad = client.get(f"{base}/scorecard?quarter=2037Q9", headers=headers)
    assert bad.status_code == 422 and "quarter" in bad.get_json()["error"]["fields"]
    # one town of the jurisdiction only; a town outside it is simply not there
    assert len(client.get(f"{base}/rollups?quarter={YEAR}Q{QUARTER}&town={slugs['a']}", headers=headers).get_json()) == 1
    assert client.get(f"{base}/rollups?town={slugs['c']}", headers=headers).status_code == 404

    # another committee, a town's staff, an operator: the committee does not exist for them
    for username in ("other_committee", "a_admin", "operator"):
        other = {"Authorization": f"Bearer {_token(client_as, username)}"}
        for path in ("towns", "rollups", "scorecard", "notices"):
            assert client.get(f"{base}/{path}", headers=other).status_code == 404, (username, path)
    assert client.get(f"{base}/towns").status_code == 401


def test_a_notice_through_the_api_applies_once_per_key_and_stays_in_its_town(app, world, client, client_as, slugs):
    committee = {"Authorization": f"Bearer {_token(client_as, 'committee')}"}
    a_staff = {"Authorization": f"Bearer {_token(client_as, 'a_staff')}"}
    b_staff = {"Authorization": f"Bearer {_token(client_as, 'b_staff')}"}
    base = f"/api/v1/c/{slugs['committee']}/notices"
    body = {"town": slugs["a"], "topic": "opinions", "subject": "API督办：超期意见", "body": "请一周内办结超期意见",
            "due_on": (date.today() + timedelta(days=7)).isoformat()}

    refused = client.post(base, json={**body, "town": slugs["c"]}, headers=committee)
    assert refused.status_code == 422 and "town" in refused.get_json()["error"]["fields"]
    other = {"Authorization": f"Bearer {_token(client_as, 'other_committee')}"}
    assert client.post(base, json=body, headers=other).status_code == 404
    refused = client.post(base, json={**body, "due_on": date.today().isoformat()}, headers=committee)
    assert refused.status_code == 422 and "due_on" in refused.get_json()["error"]["fields"]

    key = {**committee, "Idempotency-Key": unique("issue")}
    first = client.post(base, json=body, headers=key)
    again = client.post(base, json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"] and again.headers["Idempotent-Replayed"] == "true"
    notice_id = first.get_json()["id"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SupervisionNotice).where(
            SupervisionNotice.subject == body["subject"])) == 1
        db.session.remove()

    town_base = f"/api/v1/t/{slugs['a']}/notices"
    assert notice_id in [n["id"] for n in client.get(town_base, headers=a_staff).get_json()]
    # town B neither lists nor opens it, even through its own town's URL
    assert notice_id not in [n["id"] for n in client.get(f"/api/v1/t/{slugs['b']}/notices", headers=b_staff).get_json()]
    assert client.get(f"/api/v1/t/{slugs['b']}/notices/{notice_id}", headers=b_staff).status_code == 404
    assert client.get(f"{town_base}/{notice_id}", headers=b_staff).status_code == 404
    # the committee reads the town's notices but cannot answer for it
    assert client.get(f"{town_base}/{notice_id}", headers=committee).status_code == 200
    assert client.post(f"{town_base}/{notice_id}/response", json={"actions": "代答"}, headers=committee).status_code == 403

    bad = client.post(f"{town_base}/{notice_id}/response", headers=a_staff,
                      json={"actions": "已办结", "evidence": {"filename": "x.png", "content_base64": "%%%"}})
    assert bad.status_code == 422 and "evidence" in bad.get_json()["error"]["fields"]
    png = base64.b64encode(_tiny_png()).decode()
    answer = {"actions": "超期意见已全部办结，附办结单", "evidence": {"filename": "办结单.png", "content_base64": png}}
    key = {**a_staff, "Idempotency-Key": unique("answer")}
    first = client.post(f"{town_base}/{notice_id}/response", json=answer, headers=key)
    again = client.post(f"{town_base}/{notice_id}/response", json=answer, headers=key)
    assert first.status_code == again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    events = again.get_json()["events"]
    assert [e["action"] for e in events] == ["issue", "respond"] and events[1]["filename"] == "办结单.png"
    # without the key, a second answer is refused: the notice is no longer waiting
    assert client.post(f"{town_base}/{notice_id}/response", json=answer, headers=a_staff).status_code == 409

    decision = client.post(f"{base}/{notice_id}/decision", json={"decision": "return"}, headers=committee)
    assert decision.status_code == 422 and "note" in decision.get_json()["error"]["fields"]
    key = {**committee, "Idempotency-Key": unique("decide")}
    accepted = client.post(f"{base}/{notice_id}/decision", json={"decision": "accept", "note": "同意"}, headers=key)
    replay = client.post(f"{base}/{notice_id}/decision", json={"decision": "accept", "note": "同意"}, headers=key)
    assert accepted.get_json()["state"] == replay.get_json()["state"] == "accepted"
    assert [e["action"] for e in replay.get_json()["events"]] == ["issue", "respond", "accept"]
    assert client.get(f"{base}?state=accepted", headers=committee).get_json()[0]["id"] == notice_id
    assert client.get(f"/api/v1/c/{slugs['committee']}/notices/{notice_id}",
                      headers={"Authorization": f"Bearer {_token(client_as, 'other_committee')}"}).status_code == 404


def test_a_double_clicked_notice_form_issues_one_notice(app, world, client_as, slugs):
    client = client_as("committee")
    page = client.get(f"/c/{slugs['committee']}/notices/new?town={slugs['b']}").get_data(as_text=True)
    nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
    form = {"town": slugs["b"], "topic": "cadence", "subject": "双击测试：周议事未开", "body": "请补开",
            "due_on": (date.today() + timedelta(days=10)).isoformat(), "nonce": nonce}
    first, second = client.post(f"/c/{slugs['committee']}/notices/new", data=form), \
        client.post(f"/c/{slugs['committee']}/notices/new", data=form)
    assert first.status_code == second.status_code == 302 and first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SupervisionNotice).where(
            SupervisionNotice.subject == form["subject"])) == 1
        db.session.remove()


def test_overdue_notices_remind_the_towns_staff_once_a_week(app, world, stack):
    from redis import Redis
    from rq import Queue

    from webapp.committees.notices import issue

    with app.app_context():
        committee = db.session.get(Committee, world.committee)
        notice = issue(committee, db.session.get(Town, world.town_b), actor=None, today=date(2037, 1, 1), data={
            "topic": "findings", "subject": "整改超期提醒测试", "body": "请整改", "due_on": "2037-01-10"})
        db.session.commit()
        notice_id = notice.id
        db.session.remove()

    def reminders() -> int:
        with app.app_context(), bound_to(world.town_b):
            return db.session.scalar(select(func.count()).select_from(Notification).where(
                Notification.dedupe_key.like(f"notice-overdue:{notice_id}:%")))

    assert notice_overdue(world.town_b, notice_id, "2037-01-10") == 0  # due today: not late yet
    told = notice_overdue(world.town_b, notice_id, "2037-01-11")
    assert told >= 1 and reminders() == told  # the station admin and the staff of town B
    assert notice_overdue(world.town_b, notice_id, "2037-01-12") == 0  # once a week
    assert notice_overdue(world.town_b, notice_id, "2037-01-18") == told and reminders() == 2 * told
    with app.app_context(), bound_to(world.town_a):  # nobody in town A hears of it
        assert not db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.dedupe_key.like(f"notice-overdue:{notice_id}:%")))

    queue = Queue("notify", connection=Redis.from_url(stack.redis_url))
    with app.app_context():
        assert notice_reminders_due("2037-01-20") >= 1
        notice_reminders_due("2037-01-20")
        db.session.get(SupervisionNotice, notice_id).state = NoticeState.accepted
        db.session.commit()
        db.session.remove()
    assert queue.job_ids.count(f"notice-overdue-{notice_id}-2037-01-20") == 1
    for job_id in [j for j in queue.job_ids if j.startswith("notice-overdue-")]:
        queue.remove(job_id)
    assert notice_overdue(world.town_b, notice_id, "2037-01-25") == 0  # accepted: no more reminders


def test_operators_follow_the_rollups_and_recompute_a_town(app, world, client_as, stack, slugs):
    from redis import Redis
    from rq import Queue, SimpleWorker

    queue = Queue("rollups", connection=Redis.from_url(stack.redis_url))
    queue.empty()
    client = client_as("operator")
    assert "recompute" in client.get("/admin/rollups").get_data(as_text=True)
    answer = client.post("/admin/rollups/recompute", data={"town": slugs["c"], "quarter": "2037Q5"})
    assert answer.status_code == 302 and not queue.job_ids
    answer = client.post("/admin/rollups/recompute", data={"town": slugs["c"], "quarter": "2024Q1"})
    assert answer.status_code == 302 and len(queue.job_ids) == 1
    job_id = queue.job_ids[0]
    with app.app_context():
        before = run_progress(date.today())
        assert job_id.endswith("-force") and before["counts"].get("queued", 0) >= 1 and before["percent"] < 100
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
        after = run_progress(date.today())
        assert after["counts"].get("queued", 0) == 0 and after["percent"] == 100 and not after["failed"]
        assert db.session.scalar(select(Rollup.frozen).where(Rollup.town_id == world.town_c, Rollup.year == 2024,
                                                             Rollup.quarter == 1)) is True
        db.session.remove()
    page = client.get("/admin/rollups").get_data(as_text=True)
    assert 'data-testid="rollup-runs"' in page and 'data-testid="run-percent">100<' in page
    queue.empty()


def _tiny_png() -> bytes:
    from .test_isolation import tiny_png

    return tiny_png()
