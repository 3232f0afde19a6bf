"""The roster: adding, searching by pinyin, editing with an audit trail, retiring; the API."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from webapp.access import bound_to
from webapp.audit.models import TownAuditEntry
from webapp.deputies.models import Deputy
from webapp.deputies.services import pinyin_of

from ..conftest import unique

BASE = "/t/zhuyang/deputies"


def _count(app, world) -> int:
    with app.app_context(), bound_to(world.town_a):
        from webapp.extensions import db

        return db.session.scalar(select(func.count()).select_from(Deputy))


def _add(client, **fields):
    form = {"name": "赵国强", "level": "town", "gender": "male", "birth_year": "1972", "constituency": "朱阳村",
            "phone": "13912345678", "term_start": "2021-12-01", "term_end": "2026-11-30", **fields}
    return client.post(f"{BASE}/new", data=form)


def test_pinyin_of_a_name():
    assert pinyin_of("赵国强") == "zhaoguoqiang zgq"
    assert pinyin_of("吕秀兰") == "lvxiulan lxl"


def test_staff_add_a_deputy_and_find_them_by_name_pinyin_or_initials(app, world, client_as):
    client = client_as("a_staff")
    name = "欧阳" + unique("")[-1:] + "明"
    response = _add(client, name=name, constituency="朱阳村")
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert name in detail and "朱阳村" in detail
    for q in (name[:2], "ouyang", "oy"):
        page = client.get(BASE + "/", query_string={"q": q}).get_data(as_text=True)
        assert name in page, q
    assert name not in client.get(BASE + "/", query_string={"q": "zzzz"}).get_data(as_text=True)
    assert name not in client.get(BASE + "/", query_string={"level": "county"}).get_data(as_text=True)
    assert name in client.get(BASE + "/", query_string={"constituency": "朱阳村"}).get_data(as_text=True)


@pytest.mark.parametrize("fields,error_field", [
    ({"name": ""}, "name"),
    ({"level": "mayor"}, "level"),
    ({"phone": "12345"}, "phone"),
    ({"birth_year": "72"}, "birth_year"),
    ({"term_start": "2026-12-01", "term_end": "2021-12-01"}, "term_end"),
    ({"term_start": "not a date"}, "term_start"),
])
def test_bad_input_names_the_field_and_writes_nothing(app, world, client_as, fields, error_field):
    client = client_as("a_staff")
    before = _count(app, world)
    response = _add(client, **fields)
    assert response.status_code == 400
    assert f'data-testid="error-{error_field}"' in response.get_data(as_text=True) or \
        ('is-invalid' in response.get_data(as_text=True) and error_field == "level")
    assert _count(app, world) == before


def test_editing_records_what_changed_and_retiring_keeps_the_record(app, world, client_as):
    client = client_as("a_staff")
    location = _add(client, name="孙建华").headers["Location"]
    deputy_id = int(location.rstrip("/").rsplit("/", 1)[1])
    edit = client.get(f"{location}/edit").get_data(as_text=True)
    assert 'value="孙建华"' in edit
    response = client.post(f"{location}/edit", data={"name": "孙建华", "level": "county", "constituency": "朱阳村",
                                                     "phone": "13912345678", "phone_public": "true",
                                                     "term_start": "2021-12-01", "term_end": "2026-11-30",
                                                     "gender": "male", "birth_year": "1972"})
    assert response.status_code == 302
    assert client.post(f"{location}/retire").status_code == 302
    assert client.post(f"{location}/retire").status_code == 302  # twice: applies once
    with app.app_context(), bound_to(world.town_a):
        from webapp.extensions import db

        deputy = db.session.get(Deputy, deputy_id)
        assert deputy.level.value == "county" and deputy.phone_public and deputy.status.value == "left"
        entries = db.session.scalars(select(TownAuditEntry).where(TownAuditEntry.target == f"孙建华 #{deputy_id}")
                                     .order_by(TownAuditEntry.id)).all()
        assert [e.action for e in entries] == ["deputy.create", "deputy.update", "deputy.retire"]
        assert entries[1].details["changes"] == {"level": ["town", "county"], "phone_public": [False, True]}
        assert entries[1].actor_name == "测试a_staff"
    audit = client_as("a_admin").get("/t/zhuyang/audit").get_data(as_text=True)
    assert "deputy.update" in audit and "孙建华" in audit


def test_deputies_and_presidium_read_but_do_not_change_the_roster(app, world, client_as):
    for username in ("a_deputy", "a_presidium"):
        client = client_as(username)
        assert client.get(BASE + "/").status_code == 200
        assert client.get(f"{BASE}/new").status_code == 403
        assert _add(client).status_code == 403


def test_the_roster_in_english(app, world, client_as):
    client = client_as("a_staff")
    client.post("/lang/en")
    page = client.get(BASE + "/").get_data(as_text=True)
    assert "Name or pinyin" in page and "Town deputy" in page
    client.post("/lang/zh_Hans_CN")


def test_the_api_lists_pages_adds_and_patches(app, world, client, client_as):
    page = client_as("a_staff").post("/account/tokens", data={"name": "roster"}).get_data(as_text=True)
    headers = {"Authorization": "Bearer " + re.search(r"<code>(lz_[^<]+)</code>", page).group(1)}
    created = client.post("/api/v1/t/zhuyang/deputies", headers=headers,
                          json={"name": "钱学明", "level": "town", "constituency": "朱阳村"})
    assert created.status_code == 201, created.get_json()
    deputy = created.get_json()
    assert deputy["status"] == "serving" and "name_pinyin" not in deputy
    listing = client.get("/api/v1/t/zhuyang/deputies", headers=headers, query_string={"q": "qxm", "per_page": 1})
    body = listing.get_json()
    assert body["total"] >= 1 and body["per_page"] == 1 and body["items"][0]["name"] == "钱学明"
    patched = client.patch(f"/api/v1/t/zhuyang/deputies/{deputy['id']}", headers=headers, json={"phone": "13700000000"})
    assert patched.status_code == 200 and patched.get_json()["phone"] == "13700000000"
    assert patched.get_json()["name"] == "钱学明"
    bad = client.patch(f"/api/v1/t/zhuyang/deputies/{deputy['id']}", headers=headers, json={"level": "king"})
    assert bad.status_code == 422 and "level" in bad.get_json()["error"]["fields"]
    assert client.get("/api/v1/t/zhuyang/deputies/999999", headers=headers).status_code == 404


def test_a_partial_change_cannot_end_the_term_before_it_starts(app, world, client, client_as):
    page = client_as("a_staff").post("/account/tokens", data={"name": "term"}).get_data(as_text=True)
    headers = {"Authorization": "Bearer " + re.search(r"<code>(lz_[^<]+)</code>", page).group(1)}
    deputy = client.post("/api/v1/t/zhuyang/deputies", headers=headers,
                         json={"name": "任期测试", "level": "town", "term_start": "2021-12-01"}).get_json()
    response = client.patch(f"/api/v1/t/zhuyang/deputies/{deputy['id']}", headers=headers, json={"term_end": "2020-01-01"})
    assert response.status_code == 422 and "term_end" in response.get_json()["error"]["fields"]
