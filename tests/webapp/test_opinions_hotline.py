"""The 12345 hotline intake: the export imported all-or-nothing with a per-row report (XLSX,
CSV in UTF-8 or GBK), a re-upload skipping what was imported before, and the feed's API
idempotent on the case number, also when two requests race."""

from __future__ import annotations

import csv
import io
import re
import threading
from datetime import date, datetime

import pytest
from flask_babel import force_locale
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tenants.models import Town
from webapp.access import bound_to
from webapp.extensions import db
from webapp.opinions.hotline import COLUMNS, EXAMPLE_CASE_NO, MAX_ROWS, import_hotline, parse_day
from webapp.opinions.models import Channel, Opinion, OpinionEvent, State

from ..conftest import unique

HEADER = ["工单编号", "来电时间", "来电人", "联系电话", "诉求内容", "诉求标题", "诉求类别", "所属村（社区）"]
LONG_TEXT = "村口到小学的路上路灯已经坏了一个多星期，晚上孩子放学很不安全，希望尽快修好。"


@pytest.fixture()
def base(app, world) -> str:
    with app.app_context():
        slug = db.session.get(Town, world.town_a).slug
    return f"/t/{slug}/opinions"


@pytest.fixture()
def token_for(app, world, client_as):
    def make(username: str) -> str:
        page = client_as(username).post("/account/tokens", data={"name": unique("token")}).get_data(as_text=True)
        return re.search(r"<code>(lz_[^<]+)</code>", page).group(1)

    return make


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


def _csv(rows, header=None, encoding="utf-8-sig", delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header or HEADER)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _upload(client, base: str, data, name="12345.xlsx"):
    if isinstance(data, bytes):
        data = io.BytesIO(data)
    return client.post(f"{base}/import", data={"file": (data, name)}, content_type="multipart/form-data")


def _cases(app, world, numbers) -> dict[str, dict]:
    with app.app_context(), bound_to(world.town_a):
        found = db.session.scalars(select(Opinion).where(Opinion.hotline_case_no.in_(list(numbers))))
        return {o.hotline_case_no: {
            "id": o.id, "channel": o.channel, "state": o.state, "received_on": o.received_on, "title": o.title,
            "text": o.text, "name": o.constituent_name, "phone": o.constituent_phone, "village": o.village,
            "category": o.category.code if o.category else None, "receipt_code": o.receipt_code,
            "events": [e.action for e in o.events]} for o in found}


def _hotline_count(app, world) -> int:
    with app.app_context(), bound_to(world.town_a):
        return db.session.scalar(select(func.count()).select_from(Opinion).where(Opinion.channel == Channel.hotline))


def _report(response) -> str:
    page = response.get_data(as_text=True)
    assert 'data-testid="import-report"' in page, page[-2000:]
    report = page[page.index('data-testid="import-report"'):]
    report = report[:report.index("</table>")]
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", report))


def _import(app, world, content: bytes, name="12345.xlsx"):
    """The service directly, in English, committed when it succeeds (as the page does)."""
    with app.app_context(), bound_to(world.town_a), force_locale("en"):
        result = import_hotline(name, content, actor=None)
        if not result.ok:
            db.session.rollback()
        return result


# --- dates -------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["2026-10-05", "2026/10/5", "2026-10-05 09:31:00", "2026/10/05 9:31",
                                   "2026年10月5日", "2026.10.05", "20261005", "2026-10-05T09:31:00+08:00",
                                   "2026-10-04T17:00:00Z", datetime(2026, 10, 5, 9, 31), date(2026, 10, 5),
                                   "46300", 46300.4])
def test_the_day_of_a_call_in_every_spelling_exports_use(value):
    assert parse_day(value) == date(2026, 10, 5)


@pytest.mark.parametrize("value", ["2026-02-30", "10/05/2026", "昨天", "", "2026-10", True])
def test_what_is_not_a_day(value):
    assert parse_day(value) is None


# --- the import --------------------------------------------------------------------------------

def test_an_xlsx_export_becomes_hotline_opinions(app, world, client_as, base):
    client = client_as("a_staff")
    one, two = unique("HL-X"), unique("HL-X")
    rows = [
        [one, datetime(2026, 10, 5, 9, 31), "张三", "13900001111", LONG_TEXT, "路灯不亮", "道路交通", "朱阳村"],
        [two, "2026/10/6", None, None, "  垃圾清运不及时  ", None, "environment", None],
    ]
    response = _upload(client, base, _book(rows))
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert response.headers["Location"].endswith("/opinions/?channel=hotline")
    cases = _cases(app, world, [one, two])
    assert cases[one] | {"id": None, "receipt_code": None} == {
        "id": None, "channel": Channel.hotline, "state": State.collected, "received_on": date(2026, 10, 5),
        "title": "路灯不亮", "text": LONG_TEXT, "name": "张三", "phone": "13900001111", "village": "朱阳村",
        "category": "roads", "receipt_code": None, "events": ["collect"]}
    assert len(cases[one]["receipt_code"]) == 8
    # no title: the start of the request; a category given by its code
    assert (cases[two]["title"], cases[two]["text"], cases[two]["category"]) == ("垃圾清运不及时", "垃圾清运不及时",
                                                                                 "environment")
    assert cases[two]["received_on"] == date(2026, 10, 6) and cases[two]["name"] is None


def test_the_title_defaults_to_the_first_thirty_characters(app, world):
    number = unique("HL-T")
    result = _import(app, world, _book([[number, "2026-10-05", None, None, LONG_TEXT, None, None, None]]).getvalue())
    assert result.ok and result.created == 1 and len(result.opinion_ids) == 1
    assert _cases(app, world, [number])[number]["title"] == LONG_TEXT[:30]


@pytest.mark.parametrize("encoding, delimiter", [("utf-8-sig", ","), ("utf-8", ","), ("gb18030", ","),
                                                 ("gb18030", "\t")])
def test_a_csv_export_in_utf8_or_gbk(app, world, client_as, base, encoding, delimiter):
    client = client_as("a_staff")
    one, two = unique("HL-C"), unique("HL-C")
    # the synonyms some hotline systems use, a caption line above the titles, and a column the station does not keep
    header = ["工单号", "受理时间", "来电人姓名", "来电号码", "工单内容", "标题", "类别", "村社区", "处理状态"]
    rows = [[one, "2026-10-05 09:31:00", "李四", "0398-8861234", "自来水水压太低，高层用户用不上水。", "水压低", "水电气暖",
             "后川村", "已办结"],
            [f'="{two}"', "2026/10/7", "", "", "邻里因宅基地界线发生纠纷。", "", "矛盾纠纷", "", "办理中"]]
    content = ("12345热线工单导出（2026年10月）\n".encode(encoding) if encoding != "utf-8-sig" else b"") + \
        _csv(rows, header, encoding, delimiter)
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            content.decode("utf-8")  # really not UTF-8
    response = _upload(client, base, content, "12345.csv")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    cases = _cases(app, world, [one, two])
    assert (cases[one]["title"], cases[one]["name"], cases[one]["phone"], cases[one]["village"],
            cases[one]["category"]) == ("水压低", "李四", "0398-8861234", "后川村", "utilities")
    assert cases[two]["text"] == "邻里因宅基地界线发生纠纷。" and cases[two]["received_on"] == date(2026, 10, 7)
    assert cases[two]["category"] == "disputes" and cases[two]["village"] is None


def test_missing_columns_are_one_file_level_error_naming_them(app, world, client_as, base):
    client = client_as("a_staff")
    before = _hotline_count(app, world)
    response = _upload(client, base, _book([[unique("HL-W"), "2026-10-05", "x"]], header=["序号", "来电时间", "备注"]))
    assert response.status_code == 400
    report = _report(response)
    assert report.count("<tr><td>") == 1  # one file-level line, not one per row
    for title in ("工单编号", "诉求内容", "序号", "备注"):  # what is missing, and what was found
        assert title in report, title
    assert _hotline_count(app, world) == before

    result = _import(app, world, _book([], header=["姓名", "电话"]).getvalue())
    assert [e.message for e in result.errors] == [
        "Required columns are missing: 工单编号 (工单号), 来电时间 (受理时间), 诉求内容 (工单内容). "
        "The columns found are: 姓名, 电话."]


def test_a_case_number_twice_in_the_file_is_reported_and_nothing_is_imported(app, world, client_as, base):
    client = client_as("a_staff")
    before = _hotline_count(app, world)
    one, two = unique("HL-D"), unique("HL-D")
    rows = [[one, "2026-10-05", None, None, "甲", None, None, None],
            [two, "2026-10-05", None, None, "乙", None, None, None],
            [one, "2026-10-06", None, None, "丙", None, None, None]]
    response = _upload(client, base, _book(rows))
    assert response.status_code == 400
    report = _report(response)
    assert f"<td>4</td><td>工单编号</td><td>{one}</td>" in report
    assert "<td>2</td>" not in report and "<td>3</td>" not in report
    assert _hotline_count(app, world) == before and _cases(app, world, [one, two]) == {}
    result = _import(app, world, _book(rows).getvalue())
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (4, "工单编号", "This case number is already on row 2.")]


def test_a_bad_date_or_an_unknown_category_imports_nothing(app, world, client_as, base):
    client = client_as("a_staff")
    before = _hotline_count(app, world)
    good, bad_day, bad_category, empty = (unique("HL-B") for _ in range(4))
    rows = [[good, "2026-10-05", None, None, "好的一行", None, "道路交通", None],
            [bad_day, "2026-02-30", None, None, "日期不对", None, None, None],
            [bad_category, "2026-10-05", None, None, "类别不对", None, "不存在的类别", None],
            [empty, None, None, None, None, None, None, "朱阳村"]]
    response = _upload(client, base, _book(rows))
    assert response.status_code == 400
    report = _report(response)
    assert "<td>3</td><td>来电时间</td><td>2026-02-30</td>" in report
    assert "<td>4</td><td>诉求类别</td><td>不存在的类别</td>" in report
    assert "道路交通" in report.split("<td>4</td>")[1]  # the allowed names are listed
    assert "<td>5</td><td>来电时间</td>" in report and "<td>5</td><td>诉求内容</td>" in report
    assert _hotline_count(app, world) == before and _cases(app, world, [good]) == {}

    result = _import(app, world, _book(rows).getvalue())
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert messages[(3, "来电时间")] == "Enter a date such as 2026-10-05 or 2026-10-05 09:31:00."
    assert messages[(4, "诉求类别")].startswith("Not one of the town's categories: 道路交通, 农业农村,")
    assert messages[(5, "诉求内容")] == "This field is required."


def test_a_date_in_the_future_is_refused(app, world):
    result = _import(app, world, _book([[unique("HL-F"), "2062-10-05", None, None, "笔误", None, None, None]]).getvalue())
    assert [(e.row, e.message) for e in result.errors] == [(2, "This date is in the future.")]


def test_uploading_the_same_export_again_skips_what_was_imported(app, world, client_as, base):
    client = client_as("a_staff")
    one, two, three = unique("HL-R"), unique("HL-R"), unique("HL-R")
    week = [[one, "2026-10-05", None, None, "第一件", None, None, None],
            [two, "2026-10-06", None, None, "第二件", None, None, None]]
    assert _upload(client, base, _book(week)).status_code == 302
    first = _cases(app, world, [one, two])
    count = _hotline_count(app, world)

    again = _upload(client, base, _book(week))
    assert again.status_code == 302  # harmless: nothing new, and it says so
    assert _hotline_count(app, world) == count and _cases(app, world, [one, two]) == first

    # next week's export overlaps: only the new case is added
    result = _import(app, world, _book([*week, [three, "2026-10-08", None, None, "第三件", None, None, None]]).getvalue())
    assert result.ok and result.created == 1
    assert [(s.row, s.case_no, s.opinion_id) for s in result.skipped] == [(2, one, first[one]["id"]),
                                                                         (3, two, first[two]["id"])]
    assert _hotline_count(app, world) == count + 1

    # an already-imported row is not checked again (a category renamed since does not block the file) ...
    result = _import(app, world, _book([[one, "", None, None, "", None, "旧类别", None]]).getvalue())
    assert result.ok and result.created == 0 and len(result.skipped) == 1
    # ... but a real error still refuses the file, and the report lists the rows that would be skipped
    four = unique("HL-R")
    rows = [*week, [four, "不是日期", None, None, "第四件", None, None, None]]
    response = _upload(client, base, _book(rows))
    assert response.status_code == 400
    assert "<td>4</td><td>来电时间</td>" in _report(response)
    page = response.get_data(as_text=True)
    skipped = page[page.index('data-testid="import-skipped"'):]
    assert one in skipped and two in skipped and f"#{first[one]['id']}" in skipped
    assert _cases(app, world, [four]) == {} and _hotline_count(app, world) == count + 1


def test_the_clerk_is_told_what_was_new_and_what_was_skipped(app, world, client_as, base):
    client = client_as("a_staff")
    with client.session_transaction() as session:
        session["lang"] = "en"  # this session only; the user's own language stays
    one, two = unique("HL-M"), unique("HL-M")
    week = [[one, "2026-10-05", None, None, "第一件", None, None, None]]

    def said(response) -> str:
        assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
        return client.get(response.headers["Location"]).get_data(as_text=True)

    assert "New cases imported: 1." in said(_upload(client, base, _book(week)))
    assert "Nothing new: every case in the file (1) was imported before." in said(_upload(client, base, _book(week)))
    both = [*week, [two, "2026-10-06", None, None, "第二件", None, None, None]]
    assert "New cases imported: 1; imported before and skipped: 1." in said(_upload(client, base, _book(both)))


def test_a_case_added_while_the_file_was_checked_refuses_the_file_cleanly(app, world, monkeypatch):
    """Another import (or the feed) wins the race for a case number: the file is refused with
    a message, and the session stays usable."""
    import webapp.opinions.hotline as hotline

    number = unique("HL-Q")
    real = hotline.create_opinions

    def racing(*, actor, rows):
        with bound_to(world.town_a):  # the other request, committed first
            real(actor=None, rows=[dict(data) for data in rows])
        return real(actor=actor, rows=rows)

    monkeypatch.setattr(hotline, "create_opinions", racing)
    with app.app_context(), bound_to(world.town_a), force_locale("en"):
        result = import_hotline("x.xlsx", _book([[number, "2026-10-05", None, None, "抢先", None, None, None]])
                                .getvalue(), actor=None)
        assert not result.ok and result.created == 0 and result.opinion_ids == []
        assert "Upload the file again" in result.errors[0].message
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Opinion)
                                 .where(Opinion.hotline_case_no == number)) == 1


def test_files_that_are_not_exports_are_explained(app, world):
    for content, name, expected in [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "12345.xls", "old Excel file (.xls)"),
        (b"PK\x03\x04garbage", "12345.xlsx", "not an Excel workbook"),
        (b"%PDF-1.4", "12345.pdf", "not an Excel workbook"),
        (b"\x00\x01\x02" * 10, "12345.csv", "could not be read"),
        (b"x" * (10 * 1024 * 1024 + 1), "12345.csv", "at most 10 MB"),
        ("工单编号,来电时间,诉求内容\n".encode(), "12345.csv", "no cases below the column titles"),
    ]:
        result = _import(app, world, content, name)
        assert len(result.errors) == 1 and expected in result.errors[0].message, (name, result.errors)


def test_at_most_five_thousand_rows(app, world):
    rows = [[f"HL-CAP-{n}", "2026-10-05", None, None, "内容", None, None, None] for n in range(MAX_ROWS + 1)]
    result = _import(app, world, _csv(rows), "big.csv")
    assert [e.message for e in result.errors] == ["At most 5000 rows at a time; split the file."]
    assert _cases(app, world, ["HL-CAP-0"]) == {}


def test_the_page_and_the_template(app, world, client_as, base):
    client = client_as("a_staff")
    page = client.get(f"{base}/import")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for column in COLUMNS:
        assert column.title in html
    assert f'{base}/import/template.xlsx' in html and "道路交通" in html

    template = client.get(f"{base}/import/template.xlsx")
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in template.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(template.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [c.title for c in COLUMNS] and len(rows) == 2 and rows[1][0] == EXAMPLE_CASE_NO
    # uploaded as it is, the example row is refused, not imported as a real opinion
    response = _upload(client, base, io.BytesIO(template.data))
    assert response.status_code == 400 and f"<td>2</td><td>工单编号</td><td>{EXAMPLE_CASE_NO}</td>" in _report(response)
    # once the example is replaced, the template imports
    book = load_workbook(io.BytesIO(template.data))
    number = unique("HL-TPL")
    book.active["A2"] = number
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    assert _upload(client, base, out).status_code == 302
    assert _cases(app, world, [number])[number]["received_on"] == date(2026, 10, 5)

    no_file = client.post(f"{base}/import", data={}, content_type="multipart/form-data")
    assert no_file.status_code == 400


def test_only_staff_import(app, world, client_as, base):
    for username in ("a_deputy", "a_presidium"):
        client = client_as(username)
        assert client.get(f"{base}/import").status_code == 403
        assert client.get(f"{base}/import/template.xlsx").status_code == 403
        number = unique("HL-P")
        response = _upload(client, base, _book([[number, "2026-10-05", None, None, "越权", None, None, None]]))
        assert response.status_code == 403 and _cases(app, world, [number]) == {}
    assert client_as("a_admin").get(f"{base}/import").status_code == 200
    # another town's staff do not see this town at all
    assert client_as("b_staff").get(f"{base}/import").status_code == 404


# --- the feed's API ----------------------------------------------------------------------------

def _error(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]


def _api(base: str) -> str:
    return "/api/v1" + base.removesuffix("/opinions") + "/hotline/cases"


def test_the_api_adds_a_case_once(app, world, client, token_for, base):
    headers = {"Authorization": f"Bearer {token_for('a_staff')}"}
    number = unique("HL-API")
    body = {"case_no": number, "received_at": "2026-10-05 09:31:00", "caller_name": "王五",
            "caller_phone": "13900002222", "text": "小区门口积水严重。", "category": "environment", "village": "朱阳村"}
    first = client.post(_api(base), json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    created = first.get_json()
    assert set(created) == {"id", "state", "receipt_code", "case_no"}
    assert created["case_no"] == number and created["state"] == "collected" and len(created["receipt_code"]) == 8

    again = client.post(_api(base), json={**body, "text": "改过的内容", "title": "改过的标题"}, headers=headers)
    assert again.status_code == 200 and again.get_json() == created
    case = _cases(app, world, [number])[number]
    assert (case["id"], case["text"], case["title"], case["category"], case["received_on"]) == (
        created["id"], "小区门口积水严重。", "小区门口积水严重。", "environment", date(2026, 10, 5))
    assert case["events"] == ["collect"]


def test_the_api_takes_a_moment_in_any_zone_and_a_numeric_case_number(app, world, client, token_for, base):
    headers = {"Authorization": f"Bearer {token_for('a_admin')}"}
    number = int(datetime.now().strftime("%H%M%S%f"))
    response = client.post(_api(base), headers=headers,
                           json={"case_no": number, "received_at": "2026-10-04T17:00:00Z", "text": "夜里噪音扰民"})
    assert response.status_code == 201 and response.get_json()["case_no"] == str(number)
    assert _cases(app, world, [str(number)])[str(number)]["received_on"] == date(2026, 10, 5)  # Beijing's day


def test_two_requests_racing_with_one_case_number_make_one_opinion(app, world, token_for, base):
    headers = {"Authorization": f"Bearer {token_for('a_staff')}"}
    number = unique("HL-RACE")
    barrier = threading.Barrier(2)
    answers = []

    def push():
        client = app.test_client()
        barrier.wait()
        response = client.post(_api(base), headers=headers,
                               json={"case_no": number, "received_at": "2026-10-05", "text": "同时推送"})
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=push) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(status for status, _body in answers) == [200, 201], answers
    assert answers[0][1]["id"] == answers[1][1]["id"]
    with app.app_context(), bound_to(world.town_a):
        assert db.session.scalar(select(func.count()).select_from(Opinion)
                                 .where(Opinion.hotline_case_no == number)) == 1


def test_the_request_that_loses_the_race_answers_with_the_winners_opinion(app, world, client, token_for, base,
                                                                          monkeypatch):
    """The lookup found nothing, then the other request committed: the INSERT hits the
    unique case number, the savepoint is rolled back, the winner's opinion is the answer."""
    import webapp.opinions.hotline_api as hotline_api

    headers = {"Authorization": f"Bearer {token_for('a_staff')}"}
    number = unique("HL-LOST")
    winner = client.post(_api(base), headers=headers, json={"case_no": number, "received_at": "2026-10-05",
                                                            "text": "先到"})
    assert winner.status_code == 201
    real, calls = hotline_api.existing_case, []

    def not_yet(case_no):
        calls.append(case_no)
        return None if len(calls) == 1 else real(case_no)

    monkeypatch.setattr(hotline_api, "existing_case", not_yet)
    loser = client.post(_api(base), headers=headers, json={"case_no": number, "received_at": "2026-10-05",
                                                           "text": "后到"})
    assert loser.status_code == 200 and loser.get_json() == winner.get_json() and len(calls) == 2
    with app.app_context(), bound_to(world.town_a):
        assert db.session.scalar(select(func.count()).select_from(Opinion)
                                 .where(Opinion.hotline_case_no == number)) == 1
        assert db.session.scalar(select(func.count()).select_from(OpinionEvent).join(Opinion)
                                 .where(Opinion.hotline_case_no == number)) == 1


def test_bad_bodies_are_422_with_per_field_errors(app, world, client, token_for, base):
    headers = {"Authorization": f"Bearer {token_for('a_staff')}"}
    before = _hotline_count(app, world)
    response = client.post(_api(base), headers=headers, json={"received_at": "昨天", "text": "  "})
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "validation_failed" and set(error["fields"]) == {"case_no", "received_at", "text"}

    response = client.post(_api(base), headers=headers, json={"case_no": unique("HL-422"), "received_at": "2026-10-05",
                                                              "text": "x", "category": "不存在"})
    assert response.status_code == 422 and list(_error(response)["fields"]) == ["category"]
    assert "道路交通" in _error(response)["fields"]["category"][0]

    response = client.post(_api(base), headers=headers, json={"case_no": "x" * 41, "received_at": "2062-01-01",
                                                              "text": "x", "unexpected": 1})
    assert response.status_code == 422 and set(_error(response)["fields"]) == {"case_no", "received_at", "unexpected"}
    assert client.post(_api(base), headers=headers, json=["not", "an", "object"]).status_code == 400
    assert _hotline_count(app, world) == before


def test_the_api_is_for_staff_with_a_token_or_a_session(app, world, client, client_as, token_for, base):
    body = {"case_no": unique("HL-AUTH"), "received_at": "2026-10-05", "text": "权限"}
    assert client.post(_api(base), json=body).status_code == 401
    response = client.post(_api(base), json=body, headers={"Authorization": f"Bearer {token_for('a_deputy')}"})
    assert response.status_code == 403 and _error(response)["code"] == "forbidden"
    response = client.post(_api(base), json=body, headers={"Authorization": f"Bearer {token_for('b_staff')}"})
    assert response.status_code == 404
    assert _cases(app, world, [body["case_no"]]) == {}
    assert client_as("a_staff").post(_api(base), json=body).status_code == 201  # a signed-in session (CSRF off here)


def test_the_endpoint_is_documented(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    path = next(p for p in doc["paths"] if p.endswith("/hotline/cases"))
    assert "post" in doc["paths"][path]
