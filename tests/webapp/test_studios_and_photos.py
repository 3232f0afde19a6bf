"""Areas and lead-goose studios; deputies' photos."""

from __future__ import annotations

import io

from sqlalchemy import select

from webapp.access import bound_to
from webapp.deputies.models import DeputyLevel
from webapp.deputies.services import create_deputy
from webapp.extensions import db
from webapp.studios.models import Studio

from .test_isolation import tiny_png


def _deputy(app, world, name):
    with app.app_context(), bound_to(world.town_a):
        deputy = create_deputy(actor=None, data={"name": name, "level": DeputyLevel.town})
        db.session.flush()
        return deputy.id


def test_a_studio_with_villages_and_members(app, world, client_as, client):
    staff = client_as("a_staff")
    deputy_id = _deputy(app, world, "工作室甲")
    response = staff.post("/t/zhuyang/studios/new", data={"name": "朱阳片区头雁工作室", "area": "朱阳片区",
                                                          "villages": "朱阳村、东村\n西村"})
    assert response.status_code == 302
    with app.app_context(), bound_to(world.town_a):
        studio = db.session.scalar(select(Studio).where(Studio.name == "朱阳片区头雁工作室"))
        assert studio.village_list == ["朱阳村", "东村", "西村"]
        studio_id = studio.id
    assert staff.post("/t/zhuyang/studios/new", data={"name": "朱阳片区头雁工作室", "area": "x"}).status_code == 400
    assert staff.post(f"/t/zhuyang/studios/{studio_id}/members", data={"deputy_id": deputy_id}).status_code == 302
    assert staff.post(f"/t/zhuyang/studios/{studio_id}/members", data={"deputy_id": deputy_id}).status_code == 302
    page = staff.get("/t/zhuyang/studios/").get_data(as_text=True)
    assert "朱阳村、东村、西村" in page and page.count("工作室甲") == 1
    assert staff.post(f"/t/zhuyang/studios/{studio_id}/members/{deputy_id}/remove").status_code == 302
    assert "工作室甲" not in staff.get(f"/t/zhuyang/studios/{studio_id}").get_data(as_text=True).split("studio-members")[1][:400]
    assert client_as("a_deputy").post("/t/zhuyang/studios/new", data={"name": "x", "area": "y"}).status_code == 403
    assert "studio.member_add" in client_as("a_admin").get("/t/zhuyang/audit").get_data(as_text=True)


def test_a_photo_is_stored_in_the_town_and_shown_publicly_only_while_serving(app, world, client_as, client):
    staff = client_as("a_staff")
    deputy_id = _deputy(app, world, "照片乙")
    assert client.get(f"/p/zhuyang/d/{deputy_id}/photo").status_code == 404
    bad = staff.post(f"/t/zhuyang/deputies/{deputy_id}/photo", content_type="multipart/form-data",
                     data={"photo": (io.BytesIO(b"GIF89a not allowed"), "x.gif")}, follow_redirects=True)
    assert "JPEG 或 PNG" in bad.get_data(as_text=True)
    ok = staff.post(f"/t/zhuyang/deputies/{deputy_id}/photo", content_type="multipart/form-data",
                    data={"photo": (io.BytesIO(tiny_png()), "me.png")})
    assert ok.status_code == 302
    assert staff.get(f"/t/zhuyang/deputies/{deputy_id}/photo").data == tiny_png()
    public = client.get(f"/p/zhuyang/d/{deputy_id}/photo")
    assert public.status_code == 200 and public.mimetype == "image/png"
    assert 'data-testid="public-photo"' in client.get(f"/p/zhuyang/d/{deputy_id}").get_data(as_text=True)
    staff.post(f"/t/zhuyang/deputies/{deputy_id}/retire")
    assert client.get(f"/p/zhuyang/d/{deputy_id}/photo").status_code == 404
    big = staff.post(f"/t/zhuyang/deputies/{deputy_id}/photo", content_type="multipart/form-data",
                     data={"photo": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * (2 * 1024 * 1024)), "big.png")},
                     follow_redirects=True)
    assert "2 MB" in big.get_data(as_text=True)


def test_studios_photos_and_files_in_the_api(app, world, client, client_as):
    import re

    page = client_as("a_staff").post("/account/tokens", data={"name": "studio-api"}).get_data(as_text=True)
    headers = {"Authorization": "Bearer " + re.search(r"<code>(lz_[^<]+)</code>", page).group(1)}
    deputy = client.post("/api/v1/t/zhuyang/deputies", headers=headers, json={"name": "接口工作室", "level": "town"}).get_json()
    studio = client.post("/api/v1/t/zhuyang/studios", headers=headers,
                         json={"name": "接口片区工作室", "area": "接口片区", "villages": "甲村、乙村"})
    assert studio.status_code == 201 and studio.get_json()["villages"] == ["甲村", "乙村"]
    sid = studio.get_json()["id"]
    added = client.post(f"/api/v1/t/zhuyang/studios/{sid}/members", headers=headers, json={"deputy_id": deputy["id"]})
    assert added.get_json()["member_ids"] == [deputy["id"]]
    assert client.delete(f"/api/v1/t/zhuyang/studios/{sid}/members/{deputy['id']}", headers=headers).status_code == 204
    photo = client.put(f"/api/v1/t/zhuyang/deputies/{deputy['id']}/photo", headers=headers,
                       content_type="multipart/form-data", data={"photo": (io.BytesIO(tiny_png()), "p.png")})
    assert photo.status_code == 204
    bad = client.put(f"/api/v1/t/zhuyang/deputies/{deputy['id']}/photo", headers=headers,
                     content_type="multipart/form-data", data={"photo": (io.BytesIO(b"nope"), "p.gif")})
    assert bad.status_code == 422
    file = client.get(f"/api/v1/t/zhuyang/deputies/{deputy['id']}/file", headers=headers).get_json()
    assert file["deputy"]["name"] == "接口工作室" and {"record", "grids"} <= {s["key"] for s in file["sections"]}
    this_year = file["years"][0]
    assert {"列入代表名册", "更换照片"} <= {e["title"] for e in this_year["sections"]["record"]}
