"""The station's profile, the public pages and the QR codes."""

from __future__ import annotations

import io
import re

from webapp.access import bound_to
from webapp.deputies.services import create_deputy
from webapp.deputies.models import DeputyLevel
from webapp.extensions import db


def test_staff_edit_the_profile_and_it_shows_publicly(app, world, client_as, client):
    staff = client_as("a_staff")
    response = staff.post("/t/zhuyang/station/edit", data={
        "address": "朱阳镇人民政府一楼", "opening_hours": "周一至周五 9:00–17:00", "phone": "0398-1234567",
        "head": "镇党委书记 某某", "deputy_heads": "甲\n乙", "staff": "丙", "latitude": "34.1", "longitude": "110.7",
        "intro": "欢迎来访"})
    assert response.status_code == 302
    assert "朱阳镇人民政府一楼" in staff.get("/t/zhuyang/station/").get_data(as_text=True)
    public = client.get("/p/zhuyang/").get_data(as_text=True)
    assert "朱阳镇人民政府一楼" in public and "0398-1234567" in public and "uri.amap.com" in public
    audit = client_as("a_admin").get("/t/zhuyang/audit").get_data(as_text=True)
    assert "station.update" in audit


def test_bad_coordinates_change_nothing(app, world, client_as):
    import re

    def page() -> str:  # the CSRF tokens carry a timestamp: a second later they differ
        html = staff.get("/t/zhuyang/station/").get_data(as_text=True)
        return re.sub(r'name="csrf_token" value="[^"]*"', "", html)

    staff = client_as("a_staff")
    before = page()
    response = staff.post("/t/zhuyang/station/edit", data={"address": "别处", "latitude": "north"})
    assert response.status_code == 400 and 'data-testid="error-latitude"' in response.get_data(as_text=True)
    assert page() == before
    assert client_as("a_deputy").post("/t/zhuyang/station/edit", data={"address": "x"}).status_code == 403


def test_the_public_deputy_page_shows_the_phone_only_when_the_deputy_chose_to(app, world, client):
    with app.app_context(), bound_to(world.town_a):
        shown = create_deputy(actor=None, data={"name": "公开甲", "level": DeputyLevel.town, "phone": "13800001111",
                                                "phone_public": True, "birth_year": 1969, "party": "中共党员"})
        hidden = create_deputy(actor=None, data={"name": "保密乙", "level": DeputyLevel.county, "phone": "13800002222",
                                                 "phone_public": False})
        db.session.flush()
        shown_id, hidden_id = shown.id, hidden.id
    page = client.get(f"/p/zhuyang/d/{shown_id}").get_data(as_text=True)
    assert "公开甲" in page and "13800001111" in page and "1969" not in page and "中共党员" not in page
    page = client.get(f"/p/zhuyang/d/{hidden_id}").get_data(as_text=True)
    assert "保密乙" in page and "13800002222" not in page
    station = client.get("/p/zhuyang/").get_data(as_text=True)
    assert "公开甲" in station and "保密乙" in station and "13800002222" not in station
    assert client.get("/p/zhuyang/d/999999").status_code == 404
    assert client.get("/p/no-such-town/").status_code == 404


def test_a_deputy_who_left_has_no_public_page(app, world, client, client_as):
    with app.app_context(), bound_to(world.town_a):
        deputy = create_deputy(actor=None, data={"name": "离任丙", "level": DeputyLevel.town})
        db.session.flush()
        deputy_id = deputy.id
    assert client.get(f"/p/zhuyang/d/{deputy_id}").status_code == 200
    client_as("a_staff").post(f"/t/zhuyang/deputies/{deputy_id}/retire")
    assert client.get(f"/p/zhuyang/d/{deputy_id}").status_code == 404


def test_qr_codes_open_the_public_page(app, world, client_as):
    import png  # pypng, to read the code back

    with app.app_context(), bound_to(world.town_a):
        deputy = create_deputy(actor=None, data={"name": "扫码丁", "level": DeputyLevel.town})
        db.session.flush()
        deputy_id = deputy.id
    client = client_as("a_deputy")
    svg = client.get(f"/t/zhuyang/deputies/{deputy_id}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    image = client.get(f"/t/zhuyang/deputies/{deputy_id}/qr.png")
    width, height, _rows, _info = png.Reader(file=io.BytesIO(image.data)).read()
    assert image.mimetype == "image/png" and width == height > 100
    card = client.get(f"/t/zhuyang/deputies/{deputy_id}/card").get_data(as_text=True)
    assert "扫码丁" in card and f"/t/zhuyang/deputies/{deputy_id}/qr.svg" in card
    from webapp.deputies.qr import _code

    with app.test_request_context():
        from flask import url_for

        target = url_for("public.deputy", town="zhuyang", deputy_id=deputy_id, _external=True)
    assert _code(target).data_list[0].data.decode() == target  # the code carries the public page's address
    assert re.search(r"/p/zhuyang/d/\d+$", target)


def test_station_grid_and_retire_operations_in_the_api(app, world, client, client_as):
    page = client_as("a_staff").post("/account/tokens", data={"name": "ops"}).get_data(as_text=True)
    headers = {"Authorization": "Bearer " + re.search(r"<code>(lz_[^<]+)</code>", page).group(1)}
    patched = client.patch("/api/v1/t/zhuyang/station", headers=headers, json={"opening_hours": "全天"})
    assert patched.status_code == 200 and patched.get_json()["opening_hours"] == "全天"
    assert client.patch("/api/v1/t/zhuyang/station", headers=headers, json={"latitude": "x"}).status_code == 422
    deputy = client.post("/api/v1/t/zhuyang/deputies", headers=headers, json={"name": "接口丙", "level": "town"}).get_json()
    grid = client.post("/api/v1/t/zhuyang/grids", headers=headers,
                       json={"kind": "residential", "community": "接口村", "name": "第1网格"}).get_json()
    head = client.post(f"/api/v1/t/zhuyang/grids/{grid['id']}/heads", headers=headers, json={"name": "网格长丁"})
    assert head.status_code == 201 and head.get_json()["heads"][0]["name"] == "网格长丁"
    assigned = client.post(f"/api/v1/t/zhuyang/grids/{grid['id']}/deputies", headers=headers,
                           json={"deputy_id": deputy["id"]})
    assert assigned.get_json()["deputy_ids"] == [deputy["id"]]
    assert client.post(f"/api/v1/t/zhuyang/grids/{grid['id']}/deputies", headers=headers,
                       json={"deputy_id": 999999}).status_code == 422
    retired = client.post(f"/api/v1/t/zhuyang/deputies/{deputy['id']}/retire", headers=headers, json={"left_on": "2026-11-01"})
    assert retired.get_json()["status"] == "left" and retired.get_json()["left_on"] == "2026-11-01"
    again = client.post(f"/api/v1/t/zhuyang/deputies/{deputy['id']}/retire", headers=headers)
    assert again.status_code == 200 and again.get_json()["left_on"] == "2026-11-01"
