"""The projects area in the JSON API: projects (lineage, carry-over), groups' members, the five
ones' records, the rectification ledger (idempotent steps, 409 for a step the ledger does not
allow, 422 for missing input), the annual vote (tallies, ballots, results, closing) and next
year's candidates. Committee readers read and never write; another town's ids are a 404."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from webapp.access import bound_to
from webapp.deputies.models import DeputyLevel
from webapp.deputies.services import create_deputy
from webapp.extensions import db
from webapp.opinions.models import ResponsibleUnit
from webapp.projects.models import SupervisionGroup

from ..conftest import unique
from .test_isolation import tiny_png

API = "/api/v1/t/zhuyang"
LATER = (date.today() + timedelta(days=30)).isoformat()


def error(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]


@pytest.fixture(scope="module")
def town_a(app, world):
    """Ids in town A: a group, a unit, two serving deputies and one who left."""
    from webapp.deputies.services import retire_deputy

    with app.app_context(), bound_to(world.town_a):
        group = db.session.scalar(select(SupervisionGroup).order_by(SupervisionGroup.id))
        unit = db.session.scalar(select(ResponsibleUnit).order_by(ResponsibleUnit.id))
        deputies = [create_deputy(actor=None, data={"name": unique("审议代表"), "level": DeputyLevel.town})
                    for _ in range(3)]
        db.session.flush()
        retire_deputy(deputies[2], actor=None, left_on=date(2026, 1, 31))
        return {"group_id": group.id, "unit_id": unit.id, "deputy_ids": [d.id for d in deputies]}


def post_project(client, year: int, **extra):
    body = {"year": year, "name": unique("接口项目"), "kind": "livelihood", **extra}
    return client.post(f"{API}/projects", json=body)


def test_projects_lineage_findings_update_and_carry_over(app, world, client_as, town_a):
    client = client_as("a_staff")
    response = post_project(client, 2051, group_id=town_a["group_id"], unit_id=town_a["unit_id"], budget="120.50",
                            phase="construction", progress=40,
                            milestones=[{"name": "开工", "phase": "started", "planned_on": "2051-03-01"}])
    assert response.status_code == 201, response.get_json()
    project = response.get_json()
    assert response.headers["Location"].endswith(f"/projects/{project['id']}")
    assert (project["budget"], project["phase"], project["progress"], project["group_id"]) == (
        "120.50", "construction", 40, town_a["group_id"])
    assert project["milestones"][0]["name"] == "开工" and project["lineage"] == [
        {"id": project["id"], "year": 2051, "phase": "construction", "progress": 40}]

    listed = client.get(f"{API}/projects?year=2051&group_id={town_a['group_id']}").get_json()
    assert project["id"] in [p["id"] for p in listed["items"]] and {p["year"] for p in listed["items"]} == {2051}
    assert error(client.get(f"{API}/projects?kind=huge"))["code"] == "validation_failed"

    # only what is sent changes
    response = client.patch(f"{API}/projects/{project['id']}", json={"progress": 75})
    assert response.status_code == 200
    assert (response.get_json()["progress"], response.get_json()["phase"]) == (75, "construction")
    other = post_project(client, 2051).get_json()
    response = client.patch(f"{API}/projects/{other['id']}", json={"name": project["name"]})
    assert response.status_code == 422 and "name" in error(response)["fields"]
    response = client.patch(f"{API}/projects/{project['id']}", json={"progress": 101})
    assert response.status_code == 422 and "progress" in error(response)["fields"]
    response = client.patch(f"{API}/projects/{project['id']}", json={"milestones": [{"name": "交付"}]})
    assert response.status_code == 422 and "milestones.0.planned_on" in error(response)["fields"]
    response = client.patch(f"{API}/projects/{project['id']}", json={"milestones": [
        {"name": "开工", "phase": "started", "planned_on": "2051-03-01", "done_on": "2051-03-05"},
        {"name": "交付", "phase": "delivered", "planned_on": "2051-11-30"}]})
    assert [(m["name"], m["done_on"]) for m in response.get_json()["milestones"]] == [
        ("开工", "2051-03-05"), ("交付", None)]
    response = client.post(f"{API}/projects", json={"year": 2051, "kind": "key"})
    assert response.status_code == 422 and "name" in error(response)["fields"]

    # carried into the next year, with its history
    response = client.post(f"{API}/projects/{project['id']}/carry-over")
    assert response.status_code == 201
    follow = response.get_json()
    assert (follow["year"], follow["continuing"], follow["continues_id"], follow["progress"]) == (
        2052, True, project["id"], 75)
    assert [y["year"] for y in follow["lineage"]] == [2052, 2051]
    response = client.post(f"{API}/projects/{project['id']}/carry-over", json={})
    assert response.status_code == 422 and "year" in error(response)["fields"]

    # a finding of last year's inspection shows on the continuing project
    record = client.post(f"{API}/supervision-records", json={
        "kind": "inspection", "group_id": town_a["group_id"], "day": "2051-09-10",
        "project_ids": [project["id"]]}).get_json()
    finding = client.post(f"{API}/supervision-records/{record['id']}/findings",
                          json={"description": "护栏缺失", "project_id": project["id"]}).get_json()
    assert [f["id"] for f in client.get(f"{API}/projects/{follow['id']}").get_json()["findings"]] == [finding["id"]]


def test_group_members(app, world, client_as, town_a):
    client = client_as("a_staff")
    leader, member, retired = town_a["deputy_ids"]
    group = f"{API}/supervision-groups/{town_a['group_id']}"
    response = client.put(f"{group}/members", json={"leader_id": leader, "member_ids": [member]})
    assert response.status_code == 200
    body = response.get_json()
    assert body["leader_id"] == leader and {m["id"] for m in body["members"]} == {leader, member}
    assert {m["id"] for m in client.get(group).get_json()["members"]} == {leader, member}
    response = client.put(f"{group}/members", json={"leader_id": leader, "member_ids": [retired]})
    assert response.status_code == 422 and "member_ids" in error(response)["fields"]
    response = client.put(f"{group}/members", json={"leader_id": retired, "member_ids": []})
    assert response.status_code == 422 and "leader_id" in error(response)["fields"]
    response = client.put(f"{group}/members", json={"member_ids": ["x"]})
    assert response.status_code == 422 and "member_ids" in error(response)["fields"]


def test_records_of_each_kind(app, world, client_as, town_a):
    client = client_as("a_staff")
    leader = town_a["deputy_ids"][0]
    project = post_project(client, 2053, group_id=town_a["group_id"]).get_json()
    for kind, extra in (("briefing", {"group_id": town_a["group_id"], "issues_reported": "进度滞后",
                                      "suggestions": "加快施工"}),
                        ("inspection", {"group_id": town_a["group_id"]}),
                        ("half_year_report", {"summary": "上半年进展", "suggestions": "加强资金保障"}),
                        ("annual_review", {"year": 2053})):
        response = client.post(f"{API}/supervision-records", json={"kind": kind, "day": "2053-06-30",
                                                                   "attendee_ids": [leader], **extra})
        assert response.status_code == 201, (kind, response.get_json())
        record = response.get_json()
        assert record["kind"] == kind and [a["id"] for a in record["attendees"]] == [leader]
        if kind in ("briefing", "inspection", "annual_review"):  # the group's (or the year's) projects
            assert project["id"] in [p["id"] for p in record["projects"]], kind
        fetched = client.get(f"{API}/supervision-records/{record['id']}").get_json()
        assert fetched["id"] == record["id"] and fetched["findings"] == []
    listed = client.get(f"{API}/supervision-records?kind=briefing&year=2053").get_json()
    assert listed["total"] == 1 and listed["items"][0]["issues_reported"] == "进度滞后"
    assert client.get(f"{API}/supervision-records?year=2053&project_id={project['id']}").get_json()["total"] == 3
    for body, field in (({"kind": "briefing", "day": "2053-07-01"}, "group_id"),  # a briefing is a group's
                        ({"kind": "monthly", "day": "2053-07-01"}, "kind"),
                        ({"kind": "half_year_report"}, "day"),
                        ({"kind": "half_year_report", "day": "2053-07-01", "attendee_ids": [999999]}, "attendee_ids"),
                        ({"kind": "annual_review", "day": "2054-12-01", "year": 2099}, "project_ids")):
        response = client.post(f"{API}/supervision-records", json=body)
        assert response.status_code == 422 and field in error(response)["fields"], body
    record_id = listed["items"][0]["id"]
    response = client.post(f"{API}/supervision-records/{record_id}/files",
                           data={"file": (io.BytesIO(tiny_png()), "briefing.png")}, content_type="multipart/form-data")
    assert response.status_code == 201 and response.get_json()["mimetype"] == "image/png"
    assert len(client.get(f"{API}/supervision-records/{record_id}").get_json()["files"]) == 1


def test_the_rectification_ledger_steps_are_idempotent_409_and_422(app, world, client_as, town_a):
    client = client_as("a_staff")
    project = post_project(client, 2054, group_id=town_a["group_id"]).get_json()
    inspection = client.post(f"{API}/supervision-records", json={
        "kind": "inspection", "group_id": town_a["group_id"], "day": "2054-05-10"}).get_json()
    briefing = client.post(f"{API}/supervision-records", json={
        "kind": "briefing", "group_id": town_a["group_id"], "day": "2054-05-11"}).get_json()
    response = client.post(f"{API}/supervision-records/{briefing['id']}/findings", json={"description": "x"})
    assert response.status_code == 422 and "record" in error(response)["fields"]  # findings are an inspection's
    response = client.post(f"{API}/supervision-records/{inspection['id']}/findings", json={"project_id": project["id"]})
    assert response.status_code == 422 and "description" in error(response)["fields"]
    response = client.post(f"{API}/supervision-records/{inspection['id']}/findings",
                           json={"description": "路面裂缝", "project_id": project["id"]})
    assert response.status_code == 201
    finding = response.get_json()
    assert finding["state"] == "found" and [e["action"] for e in finding["events"]] == ["find"]
    assigned = client.post(f"{API}/supervision-records/{inspection['id']}/findings", json={
        "description": "排水沟未完工", "project_id": project["id"], "unit_id": town_a["unit_id"],
        "due_on": LATER}).get_json()
    assert assigned["state"] == "assigned" and assigned["unit_id"] == town_a["unit_id"]

    steps = f"{API}/findings/{finding['id']}/steps"
    response = client.post(steps, json={"action": "rectify", "evidence": "已修"})  # not assigned yet
    assert response.status_code == 409 and error(response)["code"] == "invalid_transition"
    response = client.post(steps, json={"action": "teleport"})
    assert response.status_code == 422 and "action" in error(response)["fields"]
    response = client.post(steps, json={"action": "assign", "due_on": LATER})
    assert response.status_code == 422 and "unit_id" in error(response)["fields"]
    response = client.post(steps, json={"action": "assign", "unit_id": town_a["unit_id"], "due_on": "2000-01-01"})
    assert response.status_code == 422 and "due_on" in error(response)["fields"]
    key = {"Idempotency-Key": unique("assign-")}
    body = {"action": "assign", "unit_id": town_a["unit_id"], "due_on": LATER, "note": "两周内整改"}
    first = client.post(steps, json=body, headers=key)
    again = client.post(steps, json=body, headers=key)
    assert (first.status_code, again.status_code) == (200, 200)
    assert (first.headers["Idempotent-Replayed"], again.headers["Idempotent-Replayed"]) == ("false", "true")
    assert [e["action"] for e in again.get_json()["events"]] == ["find", "assign"]
    response = client.post(steps, json={"action": "rectify", "evidence": "  "})
    assert response.status_code == 422 and "evidence" in error(response)["fields"]
    assert client.post(steps, json={"action": "rectify", "evidence": "已灌缝修补"}).get_json()["state"] == "rectified"
    response = client.post(steps, json={"action": "verify"})  # no evidence file yet
    assert response.status_code == 422 and "file" in error(response)["fields"]
    response = client.post(f"{API}/findings/{finding['id']}/files",
                           data={"file": (io.BytesIO(tiny_png()), "after.png")}, content_type="multipart/form-data")
    assert response.status_code == 201
    response = client.post(f"{API}/findings/{finding['id']}/files", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "file" in error(response)["fields"]
    verified = client.post(steps, json={"action": "verify", "by": "李组长"}, headers={"Idempotency-Key": "v-1"})
    assert verified.status_code == 200
    assert (verified.get_json()["state"], verified.get_json()["verified_by"]) == ("verified", "李组长")
    assert len(verified.get_json()["files"]) == 1
    # the retry of an applied step replays, even though the state has moved on
    assert client.post(steps, json={"action": "verify"}, headers={"Idempotency-Key": "v-1"}).status_code == 200

    ledger = client.get(f"{API}/findings?record_id={inspection['id']}").get_json()
    assert {f["id"]: f["state"] for f in ledger["items"]} == {finding["id"]: "verified", assigned["id"]: "assigned"}
    assert [f["id"] for f in client.get(f"{API}/findings?record_id={inspection['id']}&state=assigned").get_json()[
        "items"]] == [assigned["id"]]
    assert client.get(f"{API}/findings?state=lost").status_code == 422
    detail = client.get(f"{API}/findings/{finding['id']}").get_json()
    assert [e["action"] for e in detail["events"]] == ["find", "assign", "rectify", "verify"]
    assert detail["events"][1]["note"] == "两周内整改"


def test_the_annual_vote(app, world, client_as, client, town_a):
    staff = client_as("a_staff")
    full = post_project(staff, 2055).get_json()
    half = post_project(staff, 2055).get_json()
    review = staff.post(f"{API}/supervision-records", json={"kind": "annual_review", "day": "2055-12-20",
                                                            "place": "镇政府"}).get_json()
    votes = f"{API}/annual-reviews/{review['id']}"
    body = staff.get(votes).get_json()
    assert (body["projects"], body["passed"], body["voted"], body["threshold"]) == (2, 0, 0, 80)

    response = staff.put(f"{votes}/projects/{full['id']}", json={
        "present": {"voters": 30, "deputies": 10}, "tallies": {"voters": {"satisfied": 28}, "deputies": {
            "satisfied": 10}}})
    assert response.status_code == 200
    assert response.get_json()["result"] == {
        "counts": {"voters": {"satisfied": 28, "basically": 0, "not_satisfied": 0},
                   "deputies": {"satisfied": 10, "basically": 0, "not_satisfied": 0}},
        "total": 38, "satisfied": 38, "rate": 100.0, "threshold": 80, "passed": True}
    response = staff.put(f"{votes}/projects/{half['id']}", json={
        "present": {"voters": 10}, "tallies": {"voters": {"satisfied": 5, "not_satisfied": 5}}})
    assert response.get_json()["result"]["passed"] is False and response.get_json()["result"]["rate"] == 50.0
    # more votes than people present: 422, nothing changed
    response = staff.put(f"{votes}/projects/{half['id']}", json={
        "present": {"voters": 10}, "tallies": {"voters": {"satisfied": 11}}})
    assert response.status_code == 422 and "voters" in error(response)["fields"]
    assert staff.get(f"{votes}/projects/{half['id']}").get_json()["tallies"]["voters"]["satisfied"] == 5
    response = staff.put(f"{votes}/projects/{half['id']}", json={"tallies": {}})
    assert response.status_code == 422 and "present" in error(response)["fields"]
    response = staff.put(f"{votes}/projects/{half['id']}", json={"present": {"voters": -2}})
    assert response.status_code == 422

    # ballot codes: two places are left among the voters for the full project
    ballots = f"{votes}/projects/{full['id']}/ballots"
    response = staff.post(ballots, json={"voter": "voters", "count": 3})
    assert response.status_code == 422 and "count" in error(response)["fields"]
    response = staff.post(ballots, json={"voter": "voters", "count": 2})
    assert response.status_code == 201
    issued = response.get_json()
    assert issued["count"] == 2 and all(f"/p/zhuyang/ballot/{b['token']}" in b["url"] for b in issued["ballots"])
    response = staff.post(ballots, json={"voter": "visitors", "count": 1})
    assert response.status_code == 422 and "voter" in error(response)["fields"]
    token = issued["ballots"][0]["token"]
    env = {"REMOTE_ADDR": "10.79.0.1"}
    assert client.post(f"/p/zhuyang/ballot/{token}", data={"vote": "basically"}, environ_base=env).status_code == 303
    assert client.post(f"/p/zhuyang/ballot/{token}", data={"vote": "satisfied"}, environ_base=env).status_code == 409
    vote = staff.get(f"{votes}/projects/{full['id']}").get_json()
    assert (vote["ballots_issued"]["voters"], vote["ballots_cast"]["voters"]) == (2, 1)
    assert vote["result"]["counts"]["voters"]["basically"] == 1 and vote["result"]["total"] == 39

    summary = staff.get(votes).get_json()
    assert (summary["projects"], summary["voted"], summary["passed"], summary["unanimous"]) == (2, 2, 1, 1)
    assert {v["project_id"]: v["result"]["passed"] for v in summary["votes"]} == {full["id"]: True, half["id"]: False}

    # closing
    response = staff.post(f"{votes}/projects/{half['id']}/close")
    assert response.status_code == 200 and response.get_json()["closed"] is True
    response = staff.put(f"{votes}/projects/{half['id']}", json={"present": {"voters": 10}})
    assert response.status_code == 409 and error(response)["code"] == "closed"
    assert staff.post(f"{votes}/projects/{half['id']}/ballots", json={"voter": "voters", "count": 1}).status_code == 422
    nothing = post_project(staff, 2055).get_json()
    assert staff.get(f"{votes}/projects/{nothing['id']}").status_code == 404  # not under this review
    other = staff.post(f"{API}/supervision-records", json={"kind": "annual_review", "day": "2055-12-21",
                                                           "project_ids": [nothing["id"]]}).get_json()
    response = staff.post(f"{API}/annual-reviews/{other['id']}/projects/{nothing['id']}/close")
    assert response.status_code == 409  # nothing entered: nothing to close
    briefing = staff.post(f"{API}/supervision-records", json={"kind": "briefing", "group_id": town_a["group_id"],
                                                              "day": "2055-03-01"}).get_json()
    assert staff.get(f"{API}/annual-reviews/{briefing['id']}").status_code == 404


def test_next_years_candidates(app, world, client_as, town_a):
    client = client_as("a_staff")
    project = post_project(client, 2056).get_json()
    review = client.post(f"{API}/supervision-records", json={"kind": "annual_review", "day": "2056-12-20"}).get_json()
    candidates = f"{API}/annual-reviews/{review['id']}/candidates"
    client.put(f"{API}/annual-reviews/{review['id']}/projects/{project['id']}", json={"present": {"voters": 20}})
    body = {"name": "东岭村排水改造", "description": "雨污分流", "support": 15, "object": 3, "comments": "尽快实施"}
    response = client.post(candidates, json=body)
    assert response.status_code == 201
    candidate = response.get_json()
    assert client.post(candidates, json=body).status_code == 200  # sent again: the same candidate
    response = client.post(candidates, json={"name": "尹庄村路灯", "support": 15, "object": 6})
    assert response.status_code == 422 and "support" in error(response)["fields"]  # 21 > 20 present
    response = client.post(candidates, json={"name": "尹庄村路灯", "support": -1})
    assert response.status_code == 422 and "support" in error(response)["fields"]
    response = client.patch(f"{candidates}/{candidate['id']}", json={"object": 5})
    assert response.status_code == 200
    assert (response.get_json()["support"], response.get_json()["object"], response.get_json()["comments"]) == (
        15, 5, "尽快实施")
    assert client.patch(f"{candidates}/{candidate['id']}", json={"object": 6}).status_code == 422
    assert [c["name"] for c in client.get(candidates).get_json()] == ["东岭村排水改造"]
    other = client.post(f"{API}/supervision-records", json={"kind": "annual_review", "day": "2056-12-21",
                                                            "project_ids": [project["id"]]}).get_json()
    assert client.patch(f"{API}/annual-reviews/{other['id']}/candidates/{candidate['id']}",
                        json={"object": 1}).status_code == 404  # not this review's candidate


def test_a_committee_reads_and_never_writes(app, world, client_as, town_a):
    staff = client_as("a_staff")
    project = post_project(staff, 2057, group_id=town_a["group_id"]).get_json()
    review = staff.post(f"{API}/supervision-records", json={"kind": "annual_review", "day": "2057-12-20"}).get_json()
    inspection = staff.post(f"{API}/supervision-records", json={"kind": "inspection", "day": "2057-05-01",
                                                                "group_id": town_a["group_id"]}).get_json()
    finding = staff.post(f"{API}/supervision-records/{inspection['id']}/findings",
                         json={"description": "标识不清"}).get_json()
    for username in ("committee", "a_deputy", "a_presidium"):
        reader = client_as(username)
        for url in (f"{API}/projects?year=2057", f"{API}/projects/{project['id']}",
                    f"{API}/supervision-groups/{town_a['group_id']}", f"{API}/supervision-records?kind=inspection",
                    f"{API}/supervision-records/{inspection['id']}", f"{API}/findings",
                    f"{API}/findings/{finding['id']}", f"{API}/annual-reviews/{review['id']}",
                    f"{API}/annual-reviews/{review['id']}/projects/{project['id']}",
                    f"{API}/annual-reviews/{review['id']}/candidates"):
            assert reader.get(url).status_code == 200, (username, url)
        for method, url, body in (
                ("POST", f"{API}/projects", {"year": 2057, "name": unique("越权"), "kind": "key"}),
                ("PATCH", f"{API}/projects/{project['id']}", {"progress": 99}),
                ("POST", f"{API}/projects/{project['id']}/carry-over", {}),
                ("PUT", f"{API}/supervision-groups/{town_a['group_id']}/members", {"member_ids": []}),
                ("POST", f"{API}/supervision-records", {"kind": "half_year_report", "day": "2057-07-01"}),
                ("POST", f"{API}/supervision-records/{inspection['id']}/findings", {"description": "越权"}),
                ("POST", f"{API}/findings/{finding['id']}/steps", {"action": "assign"}),
                ("PUT", f"{API}/annual-reviews/{review['id']}/projects/{project['id']}", {"present": {"voters": 1}}),
                ("POST", f"{API}/annual-reviews/{review['id']}/projects/{project['id']}/ballots",
                 {"voter": "voters", "count": 1}),
                ("POST", f"{API}/annual-reviews/{review['id']}/candidates", {"name": "越权"})):
            response = reader.open(url, method=method, json=body)
            assert response.status_code == 403 and error(response)["code"] == "forbidden", (username, method, url)
    assert staff.get(f"{API}/projects/{project['id']}").get_json()["progress"] == 0
    assert staff.get(f"{API}/annual-reviews/{review['id']}").get_json()["voted"] == 0


@pytest.fixture(scope="module")
def town_b_ids(app, world):
    """Objects of town B whose ids town A does not have (B's sequences moved far ahead)."""
    from webapp.projects.models import ProjectKind, RecordKind
    from webapp.projects.review_views import add_candidate, create_annual_review
    from webapp.projects.services import add_finding, create_group, create_project, create_record, set_review

    with app.app_context(), bound_to(world.town_b):
        for table in ("projects", "supervision_records", "findings", "supervision_groups", "project_candidates"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 900000)"))
        group = create_group(actor=None, data={"code": unique("b_group_"), "name": "故县专项组"})
        project = create_project(actor=None, data={"year": 2058, "name": "故县接口项目", "kind": ProjectKind.key,
                                                   "group_id": group.id})
        inspection = create_record(actor=None, kind=RecordKind.inspection, data={"group_id": group.id,
                                                                                 "day": date(2058, 4, 1)})
        finding = add_finding(inspection, actor=None, description="故县问题")
        review = create_annual_review(actor=None, data={"day": date(2058, 12, 1), "project_ids": [project.id]})
        set_review(review, project, actor=None, present={"voters": 10}, tallies={}, threshold=80)
        candidate, _added = add_candidate(review, actor=None, data={"name": "故县候选", "support": 1})
        return {"project": project.id, "group": group.id, "record": inspection.id, "finding": finding.id,
                "review": review.id, "candidate": candidate.id}


def test_another_towns_ids_are_not_found(app, world, client_as, town_b_ids):
    client = client_as("a_staff")
    b = town_b_ids
    for method, url, body in (
            ("GET", f"{API}/projects/{b['project']}", None),
            ("PATCH", f"{API}/projects/{b['project']}", {"progress": 1}),
            ("POST", f"{API}/projects/{b['project']}/carry-over", {}),
            ("GET", f"{API}/supervision-groups/{b['group']}", None),
            ("PUT", f"{API}/supervision-groups/{b['group']}/members", {"member_ids": []}),
            ("GET", f"{API}/supervision-records/{b['record']}", None),
            ("POST", f"{API}/supervision-records/{b['record']}/findings", {"description": "x"}),
            ("GET", f"{API}/findings/{b['finding']}", None),
            ("POST", f"{API}/findings/{b['finding']}/steps", {"action": "assign"}),
            ("GET", f"{API}/annual-reviews/{b['review']}", None),
            ("GET", f"{API}/annual-reviews/{b['review']}/projects/{b['project']}", None),
            ("PUT", f"{API}/annual-reviews/{b['review']}/projects/{b['project']}", {"present": {"voters": 1}}),
            ("POST", f"{API}/annual-reviews/{b['review']}/projects/{b['project']}/ballots",
             {"voter": "voters", "count": 1}),
            ("POST", f"{API}/annual-reviews/{b['review']}/projects/{b['project']}/close", None),
            ("GET", f"{API}/annual-reviews/{b['review']}/candidates", None),
            ("PATCH", f"{API}/annual-reviews/{b['review']}/candidates/{b['candidate']}", {"support": 0})):
        response = client.open(url, method=method, json=body)
        assert response.status_code == 404 and error(response)["code"] == "not_found", (method, url)
    # and B's ids given as references in town A are refused, not linked
    response = client.post(f"{API}/supervision-records", json={"kind": "annual_review", "day": "2058-12-02",
                                                               "project_ids": [b["project"]]})
    assert response.status_code == 422 and "project_ids" in error(response)["fields"]
    # B's own staff see them
    assert client_as("b_staff").get(f"/api/v1/t/guxian/annual-reviews/{b['review']}").get_json()["projects"] == 1


def test_the_openapi_document_lists_the_projects_area(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    paths = doc["paths"]
    for path, method in (("/api/v1/t/{town}/projects", "post"), ("/api/v1/t/{town}/projects/{project_id}", "patch"),
                         ("/api/v1/t/{town}/findings/{finding_id}/steps", "post"),
                         ("/api/v1/t/{town}/annual-reviews/{review_id}/projects/{project_id}", "put"),
                         ("/api/v1/t/{town}/annual-reviews/{review_id}/projects/{project_id}/ballots", "post")):
        assert method in paths[path], (path, method)
    tally = paths["/api/v1/t/{town}/annual-reviews/{review_id}/projects/{project_id}"]["put"]
    ref = tally["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert doc["components"]["schemas"][ref]["required"] == ["present"]
