"""The roster workbook: export, import all-or-nothing with a per-row report, round trip."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from webapp.access import bound_to
from webapp.deputies.models import Deputy
from webapp.extensions import db

BASE = "/t/zhuyang/deputies"
HEADER = ["编号", "姓名", "层级", "性别", "民族", "出生年份", "政治面貌", "职业", "界别", "联系电话", "公开电话",
          "选区", "任期开始", "任期结束", "状态"]


def _book(rows, header=None) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(header or HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _roster(app, world) -> dict[str, Deputy]:
    with app.app_context(), bound_to(world.town_a):
        return {d.name: (d.id, d.level.value, d.phone, d.status.value) for d in db.session.scalars(select(Deputy))}


def _upload(client, data: io.BytesIO, name="roster.xlsx"):
    return client.post(f"{BASE}/import", data={"file": (data, name)}, content_type="multipart/form-data")


def test_the_export_header_matches_the_import(app_ctx):
    from webapp.deputies.roster_io import COLUMNS, _headers

    headers = _headers()
    assert [headers[h.lower()] for h in HEADER] == [c.key for c in COLUMNS]


def test_one_bad_row_imports_nothing_and_says_where(app, world, client_as):
    client = client_as("a_staff")
    before = _roster(app, world)
    rows = [
        [None, "导入甲", "镇级代表", "男", "汉族", 1970, "中共党员", "农民", "农业", "13900000001", "是", "朱阳村", None, None, None],
        [None, "导入乙", "镇长", "女", None, "七〇", None, None, None, "123", None, None, None, None, None],
        [None, "导入丙", "county", "female", None, 1985, None, None, None, None, "否", "朱阳村", None, None, None],
    ]
    response = _upload(client, _book(rows))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    report = re.sub(r"\s+", " ", page[page.index('data-testid="import-report"'):])
    for column in ("层级", "出生年份", "联系电话"):
        assert f"<td>3</td><td>{column}</td>" in report.replace("> <", "><"), column
    assert "<td>2</td>" not in report.replace("> <", "><")
    assert _roster(app, world) == before


def test_a_good_workbook_adds_rows_and_a_reimported_export_changes_nothing(app, world, client_as):
    client = client_as("a_staff")
    rows = [[None, "导入丁", "镇级代表", "男", "汉族", 1966, "群众", "教师", "教育", "13900000002", "否", "朱阳村",
             "2021-12-01", "2026-11-30", "在任"],
            [None, "导入戊", "Prefecture deputy", "Female", None, 1979, None, None, None, None, "Yes", None, None,
             None, "Serving"]]
    response = _upload(client, _book(rows))
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    roster = _roster(app, world)
    assert roster["导入丁"][1:] == ("town", "13900000002", "serving") and roster["导入戊"][1] == "prefecture"

    exported = client.get(f"{BASE}/export.xlsx", query_string={"status": ""})
    assert exported.status_code == 200 and exported.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(exported.data)).active
    assert [c.value for c in sheet[1]] == HEADER
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "导入丁" in names and "导入戊" in names
    again = _upload(client, io.BytesIO(exported.data))
    assert again.status_code == 302
    assert "新增 0 人，更新 0 人" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert _roster(app, world) == roster

    # editing a cell of the export updates that deputy
    book = load_workbook(io.BytesIO(exported.data))
    for row in book.active.iter_rows(min_row=2):
        if row[1].value == "导入丁":
            row[9].value = "13900000009"
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    assert _upload(client, out).status_code == 302
    assert _roster(app, world)["导入丁"][2] == "13900000009"


def test_not_a_workbook_or_unknown_ids_are_explained(app, world, client_as):
    client = client_as("a_staff")
    response = _upload(client, io.BytesIO(b"name,level\n"), "roster.csv")
    assert response.status_code == 400 and "不是 Excel" in response.get_data(as_text=True)
    response = _upload(client, _book([[999999, "查无此人", "镇级代表"] + [None] * 12]))
    assert response.status_code == 400 and "没有此编号" in response.get_data(as_text=True)
    response = _upload(client, _book([["x"]], header=["名字"]))
    assert response.status_code == 400


def test_import_through_the_api(app, world, client, client_as):
    page = client_as("a_admin").post("/account/tokens", data={"name": "import"}).get_data(as_text=True)
    headers = {"Authorization": "Bearer " + re.search(r"<code>(lz_[^<]+)</code>", page).group(1)}
    bad = client.post("/api/v1/t/zhuyang/deputies/import", headers=headers, content_type="multipart/form-data",
                      data={"file": (_book([[None, "接口甲", "不存在的层级"] + [None] * 12]), "r.xlsx")})
    assert bad.status_code == 422 and list(bad.get_json()["error"]["fields"]) == ["2:层级"]
    good = client.post("/api/v1/t/zhuyang/deputies/import", headers=headers, content_type="multipart/form-data",
                       data={"file": (_book([[None, "接口乙", "镇级代表"] + [None] * 12]), "r.xlsx")})
    assert good.status_code == 200 and good.get_json() == {"created": 1, "updated": 0, "unchanged": 0}
    with app.app_context(), bound_to(world.town_a):
        assert db.session.scalar(select(func.count()).select_from(Deputy).where(Deputy.name == "接口乙")) == 1


def test_a_formula_typed_into_a_field_stays_text_in_the_export(app, world, client_as):
    client = client_as("a_staff")
    with app.app_context(), bound_to(world.town_a):
        from webapp.deputies.models import DeputyLevel
        from webapp.deputies.services import create_deputy

        create_deputy(actor=None, data={"name": "公式测试", "level": DeputyLevel.town,
                                        "occupation": '=HYPERLINK("http://evil.example","点我")'})
    exported = client.get(f"{BASE}/export.xlsx", query_string={"q": "公式测试"})
    sheet = load_workbook(io.BytesIO(exported.data)).active
    cell = sheet.cell(row=2, column=8)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    assert _upload(client, io.BytesIO(exported.data)).status_code == 302  # and it imports back unchanged


def test_a_workbook_without_some_columns_leaves_those_fields_alone(app, world, client_as):
    client = client_as("a_staff")
    with app.app_context(), bound_to(world.town_a):
        from webapp.deputies.models import DeputyLevel
        from webapp.deputies.services import create_deputy

        deputy = create_deputy(actor=None, data={"name": "列缺测试", "level": DeputyLevel.town,
                                                 "phone": "13900007777", "birth_year": 1970})
        db.session.flush()
        deputy_id = deputy.id
    response = _upload(client, _book([[deputy_id, "列缺测试", "县（市）级代表"]], header=["编号", "姓名", "层级"]))
    assert response.status_code == 302
    roster = _roster(app, world)
    assert roster["列缺测试"][1:3] == ("county", "13900007777")
    unknown = _upload(client, _book([[deputy_id, "列缺测试", "镇级代表", "x"]], header=["编号", "姓名", "层级", "手机号"]))
    assert unknown.status_code == 400 and "手机号" in unknown.get_data(as_text=True)
    twice = _upload(client, _book([[deputy_id, "列缺测试", "镇级代表"], [deputy_id, "列缺测试", "镇级代表"]],
                                  header=["编号", "姓名", "层级"]))
    assert twice.status_code == 400 and "第 2 行" in twice.get_data(as_text=True)
    assert _roster(app, world)["列缺测试"][1] == "county"
