"""The evaluation area in the JSON API: the template (422 when it does not add up, nothing saved),
years (open + compute, detail with ranked results), the explained sheet (a deputy reads only their
own), scores all or nothing, objections (a deputy for themselves), resolving, closing (409 while
objections are open), the recompute job (202). Committee readers read and never write; another
town's ids are a 404."""

from __future__ import annotations


import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select, text

from webapp.access import bound_to
from webapp.deputies.models import DeputyLevel
from webapp.deputies.services import create_deputy
from webapp.evaluations.models import EvaluationScore, EvaluationYear
from webapp.extensions import db

from ..conftest import unique

API = "/api/v1/t/zhuyang"


def error(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]


@pytest.fixture(scope="module")
def deputies(app, world):
    with app.app_context(), bound_to(world.town_a):
        made = [create_deputy(actor=None, data={"name": unique("考评接口"), "level": DeputyLevel.town})
                for _ in range(2)]
        db.session.flush()
        return [d.id for d in made]


def test_the_template_reads_and_refuses_what_does_not_add_up(app, world, client_as):
    admin = client_as("a_admin")
    template = admin.get(f"{API}/evaluation-template").get_json()
    codes = {i["code"]: i for i in template["indicators"]}
    assert codes["voter_assessment"]["cap"] == "10.00" and template["max_total"] == "100.00"
    response = admin.put(f"{API}/evaluation-template", json={"indicators": [{"code": "voter_assessment", "cap": 20}]})
    assert response.status_code == 422 and "weights" in error(response)["fields"]
    response = admin.put(f"{API}/evaluation-template", json={"indicators": [{"code": "grid_work", "cap": -5,
                                                                                "weight": -1}]})
    assert response.status_code == 422 and error(response)["fields"]
    response = admin.put(f"{API}/evaluation-template", json={"indicators": [{"code": "nope"}]})
    assert response.status_code == 422 and "indicators" in error(response)["fields"]
    assert admin.get(f"{API}/evaluation-template").get_json() == template  # nothing saved
    # a change that adds up: voters x2 with the cap halved, the shortlist 12
    response = admin.put(f"{API}/evaluation-template", json={
        "indicators": [{"code": "voter_assessment", "cap": 5, "weight": 2}], "outstanding_count": 12})
    assert response.status_code == 200, response.get_json()
    changed = response.get_json()
    assert changed["outstanding_count"] == 12
    assert [(i["cap"], i["weight"]) for i in changed["indicators"] if i["code"] == "voter_assessment"] \
        == [("5.00", "2.00")]
    assert client_as("a_staff").put(f"{API}/evaluation-template", json={"outstanding_count": 3}).status_code == 403
    restored = admin.put(f"{API}/evaluation-template", json={
        "indicators": [{"code": "voter_assessment", "cap": 10, "weight": 1}], "outstanding_count": 10})
    assert restored.status_code == 200 and restored.get_json()["indicators"] == template["indicators"]


def test_a_year_scores_objections_and_closing(app, world, client_as, linked_deputy, deputies):
    staff = client_as("a_staff")
    deputy_client, own = linked_deputy(unique("异议接口"))
    other = deputies[0]
    response = staff.post(f"{API}/evaluation-years", json={"year": 2041, "objections_until": "2099-01-31"})
    assert response.status_code == 201, response.get_json()
    year = response.get_json()
    assert year["state"] == "open" and year["snapshot"]["indicators"] and year["tie_rule"]
    assert {own, other} <= {r["deputy_id"] for r in year["results"]}
    assert staff.post(f"{API}/evaluation-years", json={"year": 2041}).status_code == 422  # already open
    url = f"{API}/evaluation-years/{year['id']}"
    assert any(y["id"] == year["id"] for y in staff.get(f"{API}/evaluation-years").get_json())

    # scores: all or nothing
    bad = staff.put(f"{url}/scores", json=[{"deputy_id": own, "indicator": "presidium_assessment", "points": 8},
                                            {"deputy_id": other, "indicator": "voter_assessment", "points": 11},
                                            {"deputy_id": other, "indicator": "own_suggestion", "points": 1},
                                            {"deputy_id": 99999999, "indicator": "voter_assessment", "points": 1},
                                            {"indicator": "voter_assessment"}])
    assert bad.status_code == 422
    fields = error(bad)["fields"]
    assert {"scores.1.points", "scores.2.indicator", "scores.3.deputy_id", "scores.4.deputy_id"} <= set(fields)
    assert "scores.0.points" not in fields
    with app.app_context(), bound_to(world.town_a):
        assert db.session.scalar(select(EvaluationScore.id).where(
            EvaluationScore.year_id == year["id"], EvaluationScore.indicator == "presidium_assessment")) is None
    good = staff.put(f"{url}/scores", json=[{"deputy_id": own, "indicator": "presidium_assessment", "points": 8},
                                             {"deputy_id": own, "indicator": "voter_assessment", "points": "9.5"},
                                             {"deputy_id": other, "indicator": "voter_assessment", "points": 7}])
    assert good.status_code == 200, good.get_json()
    assert {r["deputy_id"]: r["total"] for r in good.get_json()} == {own: "17.50", other: "7.00"}

    # the explained sheet; a deputy reads only their own
    sheet = staff.get(f"{url}/deputies/{own}").get_json()
    lines = {line["code"]: line for line in sheet["lines"]}
    assert lines["voter_assessment"]["points"] == "9.50" and lines["voter_assessment"]["explanation"]["rule"] == \
        "entered"
    assert lines["own_suggestion"]["explanation"]["rule"] == "counted"
    assert deputy_client.get(f"{url}/deputies/{own}").status_code == 200
    response = deputy_client.get(f"{url}/deputies/{other}")
    assert response.status_code == 404 and error(response)["code"] == "not_found"
    assert [r["deputy_id"] for r in deputy_client.get(url).get_json()["results"]] == [own]
    assert client_as("committee").get(f"{url}/deputies/{other}").status_code == 200

    # objections: a deputy for themselves; staff may not object
    response = staff.post(f"{url}/objections", json={"indicator": "reception_day", "reason": "代人异议"})
    assert response.status_code == 403
    response = deputy_client.post(f"{url}/objections", json={"indicator": "reception_day", "reason": ""})
    assert response.status_code == 422 and "reason" in error(response)["fields"]
    first = deputy_client.post(f"{url}/objections", json={"indicator": "reception_day", "reason": "接待日漏记"})
    assert first.status_code == 201 and first.get_json()["deputy_id"] == own
    second = deputy_client.post(f"{url}/objections", json={"indicator": "voter_assessment", "reason": "太低"})
    closing = client_as("a_presidium").post(f"{url}/close")
    assert closing.status_code == 409 and error(closing)["code"] == "open_objections"
    assert client_as("a_staff").post(f"{url}/close").status_code == 403  # the presidium or the admin closes
    resolve = f"{API}/evaluation-objections/{first.get_json()['id']}/resolve"
    response = staff.post(resolve, json={"accept": True, "note": "核实", "points_after": 11})
    assert response.status_code == 422 and "points_after" in error(response)["fields"]
    assert deputy_client.post(resolve, json={"accept": True, "note": "自己", "points_after": 5}).status_code == 403
    response = staff.post(resolve, json={"accept": True, "note": "签到漏记，已核实", "points_after": 5})
    assert response.status_code == 200 and response.get_json()["state"] == "accepted"
    assert staff.post(resolve, json={"accept": False, "note": "again"}).status_code == 409
    response = staff.post(f"{API}/evaluation-objections/{second.get_json()['id']}/resolve",
                          json={"accept": False, "note": "评议结果无误"})
    assert response.get_json()["state"] == "rejected"
    assert staff.get(f"{url}/deputies/{own}").get_json()["total"] == "22.50"

    closed = client_as("a_presidium").post(f"{url}/close")
    assert closed.status_code == 200, closed.get_json()
    body = closed.get_json()
    assert body["state"] == "closed"
    ranks = [r["rank"] for r in body["results"]]
    assert ranks == sorted(ranks) and all(r["grade"] for r in body["results"])
    assert staff.put(f"{url}/scores", json=[{"deputy_id": own, "indicator": "voter_assessment",
                                              "points": 1}]).status_code == 409
    assert staff.post(f"{url}/compute").status_code == 409
    assert client_as("a_admin").post(f"{url}/close").status_code == 409


def test_compute_enqueues_the_job_and_the_job_is_idempotent(app, world, client_as, stack, deputies):
    redis = Redis.from_url(stack.redis_url)
    rollups = Queue("rollups", connection=redis)
    rollups.empty()
    staff = client_as("a_staff")
    year = staff.post(f"{API}/evaluation-years", json={"year": 2042}).get_json()
    staff.put(f"{API}/evaluation-years/{year['id']}/scores",
              json=[{"deputy_id": deputies[1], "indicator": "presidium_assessment", "points": 6}])
    before = staff.get(f"{API}/evaluation-years/{year['id']}").get_json()["results"]
    totals = []
    for _ in range(2):
        response = staff.post(f"{API}/evaluation-years/{year['id']}/compute")
        assert response.status_code == 202, response.get_json()
        job_id = response.get_json()["job_id"]
        assert rollups.count == 1
        SimpleWorker([rollups], connection=redis).work(burst=True)
        job = rollups.fetch_job(job_id)
        assert job.get_status(refresh=True) == "finished", job.exc_info
        assert job.meta["done"] == job.meta["total"] and job.meta["percent"] == 100
        totals.append(staff.get(f"{API}/evaluation-years/{year['id']}").get_json()["results"])
    assert totals[0] == totals[1] == before
    rollups.empty()


def test_the_job_leaves_a_closed_year_alone(app, world):
    from jobs.evaluations import recompute_year
    from webapp.evaluations.services import close_year, open_year

    with app.app_context(), bound_to(world.town_c):
        year = open_year(actor=None, year=2043)
        close_year(year, actor=None)
        year_id = year.id
    with app.app_context():
        assert recompute_year(world.town_c, year_id) == 0
    with app.app_context(), bound_to(world.town_c):
        assert db.session.get(EvaluationYear, year_id).computed_at is None


def test_a_committee_reads_and_never_writes(app, world, client_as):
    staff = client_as("a_staff")
    year = staff.post(f"{API}/evaluation-years", json={"year": 2044}).get_json()
    reader = client_as("committee")
    url = f"{API}/evaluation-years/{year['id']}"
    for path in (f"{API}/evaluation-template", f"{API}/evaluation-years", url):
        assert reader.get(path).status_code == 200, path
    for method, path, body in (("PUT", f"{API}/evaluation-template", {"outstanding_count": 1}),
                               ("POST", f"{API}/evaluation-years", {"year": 2045}),
                               ("PUT", f"{url}/scores", []), ("POST", f"{url}/objections", {}),
                               ("POST", f"{url}/close", {}), ("POST", f"{url}/compute", {})):
        response = reader.open(path, method=method, json=body)
        assert response.status_code == 403 and error(response)["code"] == "forbidden", (method, path)
    assert staff.get(url).get_json()["state"] == "open"


def test_another_towns_ids_are_not_found(app, world, client_as):
    from webapp.evaluations.services import compute, object_to, open_year

    with app.app_context(), bound_to(world.town_b):
        for table in ("evaluation_years", "evaluation_objections"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 900000)"))
        deputy = create_deputy(actor=None, data={"name": "故县考评", "level": DeputyLevel.town})
        db.session.flush()
        year = open_year(actor=None, year=2046)
        compute(year, deputy_ids=[deputy.id])
        objection = object_to(year, deputy.id, "grid_work", "故县异议", actor=None)
        b = {"year": year.id, "deputy": deputy.id, "objection": objection.id}
    client = client_as("a_admin")  # staff, and closes
    url = f"{API}/evaluation-years/{b['year']}"
    for method, path, body in (("GET", url, None), ("GET", f"{url}/deputies/{b['deputy']}", None),
                               ("PUT", f"{url}/scores", [{"deputy_id": b["deputy"], "indicator": "voter_assessment",
                                                           "points": 1}]),
                               ("POST", f"{url}/compute", None), ("POST", f"{url}/close", None),
                               ("POST", f"{API}/evaluation-objections/{b['objection']}/resolve",
                                {"accept": False, "note": "x"})):
        response = client.open(path, method=method, json=body)
        assert response.status_code == 404 and error(response)["code"] == "not_found", (method, path)
    assert client_as("b_staff").get(f"/api/v1/t/guxian/evaluation-years/{b['year']}").status_code == 200


def test_the_openapi_document_lists_the_evaluation_area(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/t/{town}/evaluation-years/{year_id}/scores" in paths
    assert "/api/v1/t/{town}/evaluation-objections/{objection_id}/resolve" in paths
