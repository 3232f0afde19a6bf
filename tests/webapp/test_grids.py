"""Grids: creating, heads, assigning deputies, counts per community, the roster's grid filter, the API."""

from __future__ import annotations

import re

from sqlalchemy import select

from webapp.access import bound_to
from webapp.deputies.models import DeputyLevel
from webapp.deputies.services import create_deputy
from webapp.extensions import db
from webapp.grids.models import Grid

BASE = "/t/zhuyang/grids"


def _grid_id(app, world, community, name) -> int:
    with app.app_context(), bound_to(world.town_a):
        return db.session.scalar(select(Grid.id).where(Grid.community == community, Grid.name == name))


def test_a_grid_with_heads_and_a_deputy(app, world, client_as, client):
    staff = client_as("a_staff")
    with app.app_context(), bound_to(world.town_a):
        deputy = create_deputy(actor=None, data={"name": "网格代表甲", "level": DeputyLevel.town, "phone_public": False})
        db.session.flush()
        deputy_id = deputy.id
    response = staff.post(f"{BASE}/new", data={"kind": "residential", "community": "东村", "name": "第1网格"})
    assert response.status_code == 302
    grid_id = _grid_id(app, world, "东村", "第1网格")
    again = staff.post(f"{BASE}/new", data={"kind": "residential", "community": "东村", "name": "第1网格"})
    assert again.status_code == 400 and "已有名为" in again.get_data(as_text=True)
    assert staff.post(f"{BASE}/{grid_id}/heads", data={"name": "李网格", "phone": "13600000001"}).status_code == 302
    assert staff.post(f"{BASE}/{grid_id}/heads", data={"name": "", "phone": "1"}).status_code == 400
    assert staff.post(f"{BASE}/{grid_id}/deputies", data={"deputy_id": deputy_id}).status_code == 302
    assert staff.post(f"{BASE}/{grid_id}/deputies", data={"deputy_id": deputy_id}).status_code == 302  # once
    page = staff.get(f"{BASE}/{grid_id}").get_data(as_text=True)
    assert "李网格" in page and page.count("网格代表甲") == 1
    listing = staff.get(BASE + "/", query_string={"community": "东村"}).get_data(as_text=True)
    assert "第1网格" in listing and "网格代表甲" in listing
    counts = staff.get(BASE + "/").get_data(as_text=True)
    assert re.search(r"东村</a></td><td>1</td><td>1</td><td>0</td><td>0</td>", counts)
    roster = staff.get("/t/zhuyang/deputies/", query_string={"grid": grid_id}).get_data(as_text=True)
    assert "网格代表甲" in roster
    public = client.get(f"/p/zhuyang/d/{deputy_id}").get_data(as_text=True)
    assert "东村第1网格" in public
    assert staff.post(f"{BASE}/{grid_id}/deputies/{deputy_id}/remove").status_code == 302
    assert "网格代表甲" not in staff.get(f"{BASE}/{grid_id}").get_data(as_text=True).split("grid-deputies")[1][:300]
    audit = client_as("a_admin").get("/t/zhuyang/audit").get_data(as_text=True)
    for action in ("grid.create", "grid.head_add", "grid.assign", "grid.unassign"):
        assert action in audit
    assert client_as("a_deputy").post(f"{BASE}/new", data={"kind": "shop", "community": "x", "name": "y"}).status_code == 403


def test_grids_in_the_api(app, world, client, client_as):
    page = client_as("a_staff").post("/account/tokens", data={"name": "grids"}).get_data(as_text=True)
    headers = {"Authorization": "Bearer " + re.search(r"<code>(lz_[^<]+)</code>", page).group(1)}
    created = client.post("/api/v1/t/zhuyang/grids", headers=headers,
                          json={"kind": "shop", "community": "西街", "name": "沿街第1网格"})
    assert created.status_code == 201
    assert client.post("/api/v1/t/zhuyang/grids", headers=headers,
                       json={"kind": "shop", "community": "西街", "name": "沿街第1网格"}).status_code == 422
    listed = client.get("/api/v1/t/zhuyang/grids", headers=headers, query_string={"kind": "shop"}).get_json()
    assert listed["total"] >= 1 and all(g["kind"] == "shop" for g in listed["items"])
    one = client.get(f"/api/v1/t/zhuyang/grids/{created.get_json()['id']}", headers=headers).get_json()
    assert one["community"] == "西街" and one["heads"] == [] and one["deputy_ids"] == []


def test_a_deputy_who_left_cannot_take_a_grid_or_join_a_studio(app, world, client_as):
    staff = client_as("a_staff")
    with app.app_context(), bound_to(world.town_a):
        from webapp.deputies.services import retire_deputy
        from webapp.studios.services import create_studio

        deputy = create_deputy(actor=None, data={"name": "离任网格", "level": DeputyLevel.town})
        retire_deputy(deputy, actor=None)
        from webapp.grids.models import GridKind
        from webapp.grids.services import create_grid

        grid = create_grid(actor=None, data={"kind": GridKind.shop, "community": "离任村", "name": "第1网格"})
        studio = create_studio(actor=None, data={"name": "离任片区工作室", "area": "离任片区"})
        db.session.flush()
        ids = deputy.id, grid.id, studio.id
    response = staff.post(f"{BASE}/{ids[1]}/deputies", data={"deputy_id": ids[0]})
    assert response.status_code == 400 and "已离任" in response.get_data(as_text=True)
    page = staff.post(f"/t/zhuyang/studios/{ids[2]}/members", data={"deputy_id": ids[0]}, follow_redirects=True)
    assert "已离任" in page.get_data(as_text=True)


def test_the_activity_log_filters_and_pages(app, world, client_as):
    admin = client_as("a_admin")
    grids_only = admin.get("/t/zhuyang/audit", query_string={"action": "grid."}).get_data(as_text=True)
    assert "grid.create" in grids_only and "deputy.create" not in grids_only
    assert admin.get("/t/zhuyang/audit", query_string={"page": 99}).status_code == 200


def test_lists_page_with_their_filters(app, world, client_as):
    staff = client_as("a_staff")
    with app.app_context(), bound_to(world.town_a):
        from webapp.grids.models import GridKind
        from webapp.grids.services import create_grid

        for n in range(101):
            create_grid(actor=None, data={"kind": GridKind.shop, "community": "分页村", "name": f"第{n}网格"})
    first = staff.get(BASE + "/", query_string={"community": "分页村"}).get_data(as_text=True)
    assert 'data-testid="pager"' in first and "page=2" in first and "community=" in first
    second = staff.get(BASE + "/", query_string={"community": "分页村", "page": 2}).get_data(as_text=True)
    assert "第 2 页，共 2 页" in second
