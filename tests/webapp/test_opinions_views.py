"""Opinion pages and API: who sees what (the phone is the staff's), recording, steps posted
twice, illegal steps refused with a message, units, categories, suggestions rated by their
deputy, the deputy's file, and the API's idempotent steps."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tenants.models import Town
from webapp.access import bound_to
from webapp.extensions import db
from webapp.opinions.models import Opinion, OpinionCategory, OpinionEvent, ResponsibleUnit, State

from ..conftest import unique


@pytest.fixture(scope="module")
def slug(app, world):
    with app.app_context():
        value = db.session.get(Town, world.town_a).slug
        db.session.remove()
    return value


def _record(client, slug, **fields) -> int:
    data = {"channel": "visit", "title": "村口路灯不亮", "text": "尹庄村村口三盏路灯坏了。", **fields}
    response = client.post(f"/t/{slug}/opinions/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _nonce(html: str, action: str) -> str:
    return re.search(rf'name="nonce" value="([^"]+-{action})"', html).group(1)


def test_staff_record_and_only_staff_and_the_receiving_deputy_see_the_phone(app, world, client_as, slug,
                                                                             linked_deputy):
    deputy_client, deputy_id = linked_deputy("接访代表")
    staff = client_as("a_staff")
    opinion_id = _record(staff, slug, constituent_name="张大爷", constituent_phone="13955556666",
                         deputy_id=str(deputy_id))
    page = staff.get(f"/t/{slug}/opinions/{opinion_id}").get_data(as_text=True)
    assert "13955556666" in page and "张大爷" in page and "receipt-code" in page
    for reader in ("committee", "a_presidium"):
        page = client_as(reader).get(f"/t/{slug}/opinions/{opinion_id}")
        assert page.status_code == 200 and "13955556666" not in page.get_data(as_text=True), reader
    assert "13955556666" in deputy_client.get(f"/t/{slug}/opinions/{opinion_id}").get_data(as_text=True)
    api = client_as("committee").get(f"/api/v1/t/{slug}/opinions/{opinion_id}").get_json()
    assert api["constituent_phone"] is None and api["events"][0]["action"] == "collect"


def test_a_deputy_sees_only_the_opinions_they_received_and_records_as_themselves(app, world, client_as, slug,
                                                                                 linked_deputy):
    client, deputy_id = linked_deputy("走访代表")
    others = _record(client_as("a_staff"), slug, title="别人的意见")
    mine = _record(client, slug, title="走访听到的意见", deputy_id="999")  # the receiver is the deputy, whatever is sent
    with app.app_context(), bound_to(world.town_a):
        assert db.session.get(Opinion, mine).deputy_id == deputy_id
    listing = client.get(f"/t/{slug}/opinions/").get_data(as_text=True)
    assert "走访听到的意见" in listing and "别人的意见" not in listing
    assert client.get(f"/t/{slug}/opinions/{others}").status_code == 404
    assert client.post(f"/t/{slug}/opinions/{mine}/act", data={"action": "accept"}).status_code == 403


def test_a_step_posted_twice_applies_once_and_an_illegal_step_is_refused_with_a_message(app, world, client_as,
                                                                                      slug):
    staff = client_as("a_staff")
    opinion_id = _record(staff, slug)
    nonce = _nonce(staff.get(f"/t/{slug}/opinions/{opinion_id}").get_data(as_text=True), "accept")
    for _ in range(2):  # a double click
        assert staff.post(f"/t/{slug}/opinions/{opinion_id}/act",
                          data={"action": "accept", "nonce": nonce}).status_code == 302
    with app.app_context(), bound_to(world.town_a):
        assert db.session.scalar(select(func.count()).select_from(OpinionEvent).where(
            OpinionEvent.opinion_id == opinion_id, OpinionEvent.action == "accept")) == 1
    refused = staff.post(f"/t/{slug}/opinions/{opinion_id}/act", data={"action": "close", "satisfaction": "satisfied"})
    assert refused.status_code == 409
    assert "“已受理”的意见不能执行“办结”" in refused.get_data(as_text=True)
    missing = staff.post(f"/t/{slug}/opinions/{opinion_id}/act", data={"action": "assign"})
    assert missing.status_code == 400 and "请选择责任单位" in missing.get_data(as_text=True)
    with app.app_context(), bound_to(world.town_a):
        assert db.session.get(Opinion, opinion_id).state == State.accepted


def test_the_whole_way_through_the_pages(app, world, client_as, slug):
    staff = client_as("a_staff")
    opinion_id = _record(staff, slug)
    with app.app_context(), bound_to(world.town_a):
        unit_id = db.session.scalar(select(ResponsibleUnit.id).where(ResponsibleUnit.name == "规划建设办公室"))
    steps = [("accept", {}), ("assign", {"unit_id": unit_id, "note": "三日内修复"}), ("reply", {"note": "已订灯具"}),
             ("request_extension", {"days": "3", "note": "等灯具"}), ("decide_extension", {"approve": "yes"}),
             ("answer", {"answer": "三盏路灯已全部修复。"}), ("feedback", {"by": "李干事", "how": "phone"}),
             ("close", {"satisfaction": "satisfied"})]
    for action, data in steps:
        response = staff.post(f"/t/{slug}/opinions/{opinion_id}/act", data={"action": action, **data})
        assert response.status_code == 302, (action, response.get_data(as_text=True)[-1500:])
    page = staff.get(f"/t/{slug}/opinions/{opinion_id}").get_data(as_text=True)
    assert "三盏路灯已全部修复。" in page and "满意" in page and "规划建设办公室" in page
    with app.app_context(), bound_to(world.town_a):
        opinion = db.session.get(Opinion, opinion_id)
        assert opinion.state == State.closed and opinion.feedback_by == "李干事"
        assert [e.action for e in opinion.events] == ["collect"] + [a for a, _d in steps]
    stats = staff.get(f"/t/{slug}/opinions/stats").get_data(as_text=True)
    assert "规划建设办公室" in stats and "month-chart" in stats


def test_units_and_categories_refuse_bad_input_and_change_nothing(app, world, client_as, slug):
    staff = client_as("a_staff")
    name = unique("村委会")
    assert staff.post(f"/t/{slug}/opinions/units", data={"name": name, "kind": "village",
                                                          "contact_phone": "0398-1234567"}).status_code == 302
    again = staff.post(f"/t/{slug}/opinions/units", data={"name": name, "kind": "village"})
    assert again.status_code == 400 and "已存在" in again.get_data(as_text=True)
    bad_phone = staff.post(f"/t/{slug}/opinions/units", data={"name": unique("单位"), "contact_phone": "call me"})
    assert bad_phone.status_code == 400
    admin = client_as("a_admin")
    assert staff.get(f"/t/{slug}/opinions/categories").status_code == 403
    with app.app_context(), bound_to(world.town_a):
        roads = db.session.scalar(select(OpinionCategory).where(OpinionCategory.code == "roads"))
        roads_id, before = roads.id, (roads.deadline_days, roads.warning_days)
    refused = admin.post(f"/t/{slug}/opinions/categories", data={f"deadline_{roads_id}": "5",
                                                                  f"warning_{roads_id}": "5",
                                                                  f"active_{roads_id}": "on"})
    assert refused.status_code == 400
    assert admin.post(f"/t/{slug}/opinions/categories", data={f"deadline_{roads_id}": "0"}).status_code == 400
    with app.app_context(), bound_to(world.town_a):
        roads = db.session.get(OpinionCategory, roads_id)
        assert (roads.deadline_days, roads.warning_days) == before
    code = unique("cat_")
    assert admin.post(f"/t/{slug}/opinions/categories", data={"action": "add", "code": code, "name": "安全生产",
                                                               "deadline_days": "7", "warning_days": "2"}).status_code == 302
    with app.app_context(), bound_to(world.town_a):
        assert db.session.scalar(select(OpinionCategory.deadline_days).where(OpinionCategory.code == code)) == 7


def test_a_deputy_files_a_suggestion_and_rates_the_answer(app, world, client_as, slug, linked_deputy):
    client, deputy_id = linked_deputy("建议代表")
    _second_client, seconder_id = linked_deputy("附议代表")
    response = client.post(f"/t/{slug}/opinions/suggestions/new", data={
        "title": "建议硬化尹庄至后庄道路", "text": "雨天泥泞，学生上学不便。", "congress_level": "county",
        "seconder_ids": [str(seconder_id)]})
    assert response.status_code == 302
    suggestion_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    staff = client_as("a_staff")
    with app.app_context(), bound_to(world.town_a):
        unit_id = db.session.scalar(select(ResponsibleUnit.id).where(ResponsibleUnit.name == "规划建设办公室"))
    for action, data in (("accept", {}), ("assign", {"unit_id": unit_id}), ("answer", {"answer": "已列入明年计划。"})):
        assert staff.post(f"/t/{slug}/opinions/{suggestion_id}/act", data={"action": action, **data}).status_code == 302
    page = client.get(f"/t/{slug}/opinions/{suggestion_id}").get_data(as_text=True)
    assert "rate-suggestion" in page
    assert staff.post(f"/t/{slug}/opinions/{suggestion_id}/rate", data={"satisfaction": "satisfied"}).status_code == 403
    assert client.post(f"/t/{slug}/opinions/{suggestion_id}/rate", data={"satisfaction": "basically",
                                                                          "nonce": "r"}).status_code == 302
    with app.app_context(), bound_to(world.town_a):
        found = db.session.get(Opinion, suggestion_id)
        assert found.state == State.closed and found.rated_by == "deputy" and [d.id for d in found.seconders] == [seconder_id]
    file_page = staff.get(f"/t/{slug}/deputies/{seconder_id}/file").get_data(as_text=True)
    assert "建议硬化尹庄至后庄道路" in file_page
    listing = staff.get(f"/t/{slug}/opinions/suggestions/").get_data(as_text=True)
    assert "建议代表" in listing


def test_the_api_steps_are_idempotent_with_a_key_and_illegal_steps_are_409(app, world, client_as, slug):
    staff = client_as("a_staff")
    created = staff.post(f"/api/v1/t/{slug}/opinions", json={"channel": "grid", "title": "网格反映：垃圾点满溢",
                                                               "text": "东头垃圾点三天没清。"})
    assert created.status_code == 201, created.get_json()
    opinion_id = created.get_json()["id"]
    url = f"/api/v1/t/{slug}/opinions/{opinion_id}/transitions"
    first = staff.post(url, json={"action": "accept"}, headers={"Idempotency-Key": "k-1"})
    second = staff.post(url, json={"action": "accept"}, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == second.status_code == 200
    assert first.headers["Idempotent-Replayed"] == "false" and second.headers["Idempotent-Replayed"] == "true"
    assert [e["action"] for e in second.get_json()["events"]] == ["collect", "accept"]
    illegal = staff.post(url, json={"action": "close", "satisfaction": "satisfied"})
    assert illegal.status_code == 409 and illegal.get_json()["error"]["code"] == "invalid_transition"
    invalid = staff.post(url, json={"action": "assign"})
    assert invalid.status_code == 422 and "unit_id" in invalid.get_json()["error"]["fields"]
    assert staff.post(url, json={"action": "assign", "due_on": "tomorrow"}).status_code == 422
    listing = staff.get(f"/api/v1/t/{slug}/opinions?channel=grid&state=accepted").get_json()
    assert opinion_id in [o["id"] for o in listing["items"]]
    assert staff.get(f"/api/v1/t/{slug}/opinions?state=nonsense").status_code == 422
    unit = staff.post(f"/api/v1/t/{slug}/units", json={"name": unique("API单位"), "kind": "company"})
    assert unit.status_code == 201
    assert staff.post(f"/api/v1/t/{slug}/units", json={"name": unit.get_json()["name"]}).status_code == 422
    changed = staff.put(f"/api/v1/t/{slug}/units/{unit.get_json()['id']}",
                        json={"name": unit.get_json()["name"], "contact_name": "赵经理"})
    assert changed.status_code == 200 and changed.get_json()["contact_name"] == "赵经理"
    assert client_as("a_deputy").post(url, json={"action": "assign"}).status_code == 403
    stats = staff.get(f"/api/v1/t/{slug}/opinions/stats?year={date.today().year}").get_json()
    assert stats["total"]["received"] >= 1 and "grid" in stats["by_channel"]
