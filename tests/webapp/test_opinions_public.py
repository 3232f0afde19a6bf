"""The public opinion form, the receipt code, tracking and rating: what a constituent does
from a phone without signing in. Each test posts from an address of its own, so the small
form limit of the test app (5 per minute, tests/conftest.py) is only reached where meant."""

from __future__ import annotations

import io
import itertools
import re
import time
from datetime import date

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from tests.conftest import unique
from webapp.access import bound_to
from webapp.deputies.models import DeputyLevel
from webapp.deputies.services import create_deputy, retire_deputy
from webapp.extensions import db
from webapp.opinions.models import Channel, Kind, Opinion, OpinionEvent, ResponsibleUnit, State
from webapp.opinions.services import transition

TOWN = "zhuyang"
NEW = f"/p/{TOWN}/opinions/new"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
_addresses = itertools.count(1)


def address() -> dict:
    n = next(_addresses)
    return {"REMOTE_ADDR": f"10.77.{n // 250}.{n % 250 + 1}"}


def open_form(client, env, url=NEW) -> tuple[str, dict]:
    """The form page and the human check answered (read from the page, as a person would)."""
    page = client.get(url, environ_base=env)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    token = re.search(r'name="check" value="([^"]+)"', html).group(1)
    a, b = map(int, re.search(r'data-testid="question">\D*(\d+)\D+(\d+)', html).groups())
    return html, {"check": token, "answer": str(a + b)}


def send(client, env, data: dict, url=NEW):
    _html, check = open_form(client, env, url)
    return client.post(NEW, data={**check, **data}, environ_base=env)


def opinion_by(app, world, **where) -> Opinion | None:
    with app.app_context(), bound_to(world.town_a):
        query = select(Opinion)
        for key, value in where.items():
            query = query.where(getattr(Opinion, key) == value)
        found = db.session.scalar(query)
        if found is not None:
            found.files, found.events  # loaded before the session closes
            db.session.expunge_all()
        return found


def count(app, world, title: str) -> int:
    with app.app_context(), bound_to(world.town_a):
        return db.session.scalar(select(func.count()).select_from(Opinion).where(Opinion.title == title))


def receipt_code(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    match = re.search(rf"/p/{TOWN}/o/([A-Z0-9]{{8}})/receipt$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def test_the_station_page_leads_to_the_form_and_to_tracking(world, client):
    page = client.get(f"/p/{TOWN}/").get_data(as_text=True)
    assert f'href="{NEW}"' in page and f'href="/p/{TOWN}/track"' in page
    form = client.get(NEW).get_data(as_text=True)
    assert 'name="website"' in form and 'enctype="multipart/form-data"' in form
    assert "nav-deputies" not in form and "/login" not in form  # no staff navigation on public pages


def test_a_constituent_sends_an_opinion_with_photos_and_gets_a_receipt(app, world, client):
    env, title = address(), unique("村口路灯不亮")
    response = send(client, env, {
        "title": title, "text": "尹庄村村口三盏路灯坏了一个月，晚上看不见路。", "name": "李大爷",
        "phone": "138 1234 5678", "village_other": "尹庄村",
        "photos": [(io.BytesIO(PNG), "light.png"), (io.BytesIO(JPEG), "road.jpg")]})
    code = receipt_code(response)
    receipt = client.get(response.headers["Location"], environ_base=env)
    html = receipt.get_data(as_text=True)
    assert receipt.status_code == 200 and f"{code[:4]}-{code[4:]}" in html
    assert 'data-testid="receipt-code"' in html and f"/p/{TOWN}/o/{code}" in html
    opinion = opinion_by(app, world, receipt_code=code)
    assert opinion.title == title and opinion.kind == Kind.opinion and opinion.channel == Channel.web_form
    assert opinion.received_on == date.today() and opinion.state == State.collected
    assert (opinion.constituent_name, opinion.constituent_phone, opinion.village) == ("李大爷", "13812345678", "尹庄村")
    assert sorted(f.mimetype for f in opinion.files) == ["image/jpeg", "image/png"]
    first = opinion.events[0]
    assert first.action == "collect" and first.actor_id is None and first.actor_name


def test_an_anonymous_opinion_needs_only_a_title_and_the_text(app, world, client):
    title = unique("垃圾清运不及时")
    code = receipt_code(send(client, address(), {"title": title, "text": "每周只来一次。"}))
    opinion = opinion_by(app, world, receipt_code=code)
    assert opinion.constituent_name is None and opinion.constituent_phone is None and opinion.files == []


def test_a_wrong_or_expired_answer_keeps_what_was_typed_and_saves_nothing(app, world, client):
    env, title = address(), unique("修桥")
    _html, check = open_form(client, env)
    typed = {"title": title, "text": "桥面裂缝很大。", "name": "王五", "phone": "0398-1234567"}
    response = client.post(NEW, data={**check, "answer": str(int(check["answer"]) + 1), **typed}, environ_base=env)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'data-testid="error-answer"' in html
    assert title in html and "桥面裂缝很大。" in html and "王五" in html and "0398-1234567" in html
    assert 'name="check" value="' + check["check"] not in html  # a new question
    # an hour and more after the form was opened
    with app.app_context():
        from webapp.public.opinions import CHECK_SALT, _digest

        class Earlier(TimestampSigner):
            def get_timestamp(self):
                return int(time.time()) - 3700

        stale = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=CHECK_SALT, signer=Earlier).dumps(
            {"k": "k" * 24, "h": _digest("k" * 24, 7)})
    response = client.post(NEW, data={"check": stale, "answer": "7", **typed}, environ_base=env)
    assert response.status_code == 400 and 'data-testid="error-answer"' in response.get_data(as_text=True)
    forged = client.post(NEW, data={"check": "forged", "answer": "7", **typed}, environ_base=env)
    assert forged.status_code == 400
    assert count(app, world, title) == 0


def test_the_answer_may_be_typed_in_full_width_digits_or_chinese_numerals():
    from webapp.public.opinions import _number

    assert [_number(x) for x in ("7", " １２ ", "七", "十二", "十", "二十", "两")] == [7, 12, 7, 12, 10, 20, 2]
    assert _number("seven") is None and _number("十十") is None and _number("") is None


def test_phones_are_checked_loosely():
    from webapp.public.opinions import clean_phone

    assert clean_phone("+86 138-1234-5678") == "13812345678" and clean_phone("0398-1234567") == "0398-1234567"
    assert clean_phone("（0398）1234567") == "(0398)1234567" and clean_phone("2812345") == "2812345"
    assert [clean_phone(x) for x in ("12345", "1381234567", "110", "电话")] == [None] * 4


def test_a_filled_honeypot_saves_nothing(app, world, client):
    title = unique("机器人")
    response = send(client, address(), {"title": title, "text": "广告", "website": "http://spam.example"})
    assert response.status_code == 400 and 'data-testid="form-error"' in response.get_data(as_text=True)
    assert count(app, world, title) == 0


def test_bad_fields_are_refused_with_a_message_each(app, world, client, monkeypatch):
    env, title = address(), unique("字段")
    response = send(client, env, {"title": "", "text": "x" * 2001, "phone": "12345"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert all(f'data-testid="error-{f}"' in html for f in ("title", "text", "phone"))
    response = send(client, env, {"title": title, "text": "照片", "photos": [(io.BytesIO(b"GIF89a"), "x.gif")]})
    assert response.status_code == 400 and 'data-testid="error-photos"' in response.get_data(as_text=True)
    four = [(io.BytesIO(PNG), f"{n}.png") for n in range(4)]
    response = send(client, env, {"title": title, "text": "照片", "photos": four})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'data-testid="error-photos"' in html and 'data-testid="photos-again"' in html
    assert count(app, world, title) == 0
    monkeypatch.setattr("webapp.public.opinions.MAX_PHOTO_BYTES", len(JPEG))  # 5 MB in production
    big = [(io.BytesIO(JPEG + b"\x00"), "big.jpg")]
    response = send(client, address(), {"title": title, "text": "照片", "photos": big})
    assert response.status_code == 400 and 'data-testid="error-photos"' in response.get_data(as_text=True)
    assert count(app, world, title) == 0


def test_the_same_form_sent_twice_makes_one_opinion_and_the_same_receipt(app, world, client):
    env, title = address(), unique("重复提交")
    _html, check = open_form(client, env)
    data = {**check, "title": title, "text": "双击了两次。"}
    first = client.post(NEW, data=data, environ_base=env)
    second = client.post(NEW, data=data, environ_base=env)
    assert receipt_code(first) == receipt_code(second)
    assert count(app, world, title) == 1
    # the same solved question cannot be reused for another opinion either
    third = client.post(NEW, data={**data, "title": unique("另一条")}, environ_base=env)
    assert receipt_code(third) == receipt_code(first) and count(app, world, title) == 1


def test_a_flood_from_one_address_is_stopped_with_a_page_in_chinese(app, world, client):
    env, title = {"REMOTE_ADDR": "10.9.9.9"}, unique("刷屏")
    for _ in range(5):  # the test app's limit: 5 per minute
        receipt_code(send(client, env, {"title": title, "text": "一样的内容"}))
    response = send(client, env, {"title": title, "text": "一样的内容"})
    html = response.get_data(as_text=True)
    assert response.status_code == 429 and 'data-testid="public-error"' in html
    message = re.search(r'data-testid="error-message">(.*?)</h1>', html, re.S).group(1)
    assert re.search(r"[\u4e00-\u9fff]", message), message  # the visitor's language, Chinese by default
    assert 'lang="zh-CN"' in html and "朱阳镇人大代表联络站" in html
    assert "nav-deputies" not in html and "/login" not in html
    assert count(app, world, title) == 5
    # another address is not affected
    receipt_code(send(client, address(), {"title": unique("别人"), "text": "正常提交"}))


def test_tracking_by_code_with_a_dash_lower_case_and_spaces(app, world, client):
    env = address()
    code = receipt_code(send(client, env, {"title": unique("查询"), "text": "查进度。"}))
    typed = f" {code[:4].lower()}-{code[4:].lower()} "
    response = client.get(f"/p/{TOWN}/track", query_string={"code": typed}, environ_base=env)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/p/{TOWN}/o/{code}")
    response = client.get(f"/p/{TOWN}/o/{code[:4].lower()}-{code[4:]}", environ_base=env)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/p/{TOWN}/o/{code}")
    page = client.get(f"/p/{TOWN}/o/{code}", environ_base=env)
    assert page.status_code == 200 and "查进度。" in page.get_data(as_text=True)
    assert client.get(f"/p/{TOWN}/track", environ_base=env).status_code == 200
    missing = client.get(f"/p/{TOWN}/o/ZZZZ2222", environ_base=env)
    assert missing.status_code == 404 and 'data-testid="error-code"' in missing.get_data(as_text=True)
    assert 'lang="zh-CN"' in missing.get_data(as_text=True)


def _handle(app, world, code: str, *, answer: str | None = "路灯已于本周修好。") -> str:
    """Staff accept, assign, reply in between (internal) and answer; returns the unit's name."""
    with app.app_context(), bound_to(world.town_a):
        opinion = db.session.scalar(select(Opinion).where(Opinion.receipt_code == code))
        unit = db.session.scalar(select(ResponsibleUnit).where(ResponsibleUnit.active).order_by(ResponsibleUnit.id))
        transition(opinion, "accept", actor_name="王科员")
        transition(opinion, "assign", actor_name="王科员", data={"unit_id": unit.id})
        transition(opinion, "reply", actor_name="王科员", data={"note": "内部：施工队下周到"})
        if answer:
            transition(opinion, "answer", actor_name="王科员", data={"answer": answer})
        return unit.name


def test_the_status_page_shows_the_answer_and_nothing_private(app, world, client):
    env = address()
    code = receipt_code(send(client, env, {"title": unique("路灯"), "text": "路灯坏了。", "name": "赵六",
                                           "phone": "13987654321"}))
    page = client.get(f"/p/{TOWN}/o/{code}", environ_base=env).get_data(as_text=True)
    assert 'data-testid="step-collected"' in page and 'data-testid="rate"' not in page
    unit = _handle(app, world, code, answer=None)
    page = client.get(f"/p/{TOWN}/o/{code}", environ_base=env).get_data(as_text=True)
    assert unit in page and 'data-testid="due"' in page and 'data-testid="answer"' not in page
    with app.app_context(), bound_to(world.town_a):
        opinion = db.session.scalar(select(Opinion).where(Opinion.receipt_code == code))
        transition(opinion, "answer", actor_name="王科员", data={"answer": "路灯已于本周修好。"})
    page = client.get(f"/p/{TOWN}/o/{code}", environ_base=env).get_data(as_text=True)
    assert "路灯已于本周修好。" in page and unit in page and 'data-testid="step-answered"' in page
    assert 'data-testid="rate"' in page
    for private in ("13987654321", "赵六", "王科员", "内部：施工队下周到"):
        assert private not in page, private


def test_rating_closes_the_opinion_once(app, world, client):
    env = address()
    code = receipt_code(send(client, env, {"title": unique("评价"), "text": "请评价。"}))
    status = f"/p/{TOWN}/o/{code}"
    refused = client.post(f"{status}/rate", data={"satisfaction": "satisfied", "key": "k" * 22}, environ_base=env)
    assert refused.status_code == 409  # not answered yet
    _handle(app, world, code)
    bad = client.post(f"{status}/rate", data={"satisfaction": "great", "key": "k" * 22}, environ_base=env)
    assert bad.status_code == 400 and 'data-testid="error-satisfaction"' in bad.get_data(as_text=True)
    key = "a" * 22
    rated = client.post(f"{status}/rate", data={"satisfaction": "basically", "comment": "修得还行", "key": key},
                        environ_base=env)
    assert rated.status_code == 303
    page = client.get(rated.headers["Location"], environ_base=env).get_data(as_text=True)
    assert 'data-testid="notice"' in page and 'data-testid="rating"' in page and 'data-testid="rate"' not in page
    # the same form again (a double tap): nothing changes, no error
    again = client.post(f"{status}/rate", data={"satisfaction": "basically", "key": key}, environ_base=env)
    assert again.status_code == 303
    # a second rating from a fresh page: refused politely
    later = client.post(f"{status}/rate", data={"satisfaction": "not_satisfied", "key": "b" * 22}, environ_base=env)
    assert later.status_code == 409 and 'data-testid="form-error"' in later.get_data(as_text=True)
    with app.app_context(), bound_to(world.town_a):
        opinion = db.session.scalar(select(Opinion).where(Opinion.receipt_code == code))
        assert opinion.state == State.closed and opinion.satisfaction.value == "basically"
        assert opinion.rated_by == "constituent" and opinion.feedback_how == "public_page"
        closes = db.session.scalars(select(OpinionEvent).where(OpinionEvent.opinion_id == opinion.id,
                                                               OpinionEvent.action == "close")).all()
        assert len(closes) == 1 and closes[0].note == "修得还行"


def test_the_deputy_page_leads_to_the_form_addressed_to_that_deputy(app, world, client):
    with app.app_context(), bound_to(world.town_a):
        serving = create_deputy(actor=None, data={"name": "收件代表", "level": DeputyLevel.town})
        gone = create_deputy(actor=None, data={"name": "离任代表", "level": DeputyLevel.town})
        db.session.flush()
        retire_deputy(gone, actor=None, left_on=date(2026, 1, 5))
        serving_id, gone_id = serving.id, gone.id
    page = client.get(f"/p/{TOWN}/d/{serving_id}").get_data(as_text=True)
    assert f'href="{NEW}?deputy={serving_id}"' in page
    env, title = address(), unique("给代表")
    html, _check = open_form(client, env, f"{NEW}?deputy={serving_id}")
    assert 'data-testid="to-deputy"' in html and "收件代表" in html
    code = receipt_code(send(client, env, {"title": title, "text": "请代表关注。", "deputy": str(serving_id)},
                             url=f"{NEW}?deputy={serving_id}"))
    assert opinion_by(app, world, receipt_code=code).deputy_id == serving_id
    # a deputy who left (or no such deputy) is ignored
    html, _check = open_form(client, env, f"{NEW}?deputy={gone_id}")
    assert 'data-testid="to-deputy"' not in html
    code = receipt_code(send(client, env, {"title": unique("离任"), "text": "x", "deputy": str(gone_id)}))
    assert opinion_by(app, world, receipt_code=code).deputy_id is None
    code = receipt_code(send(client, address(), {"title": unique("乱填"), "text": "x", "deputy": "999999"}))
    assert opinion_by(app, world, receipt_code=code).deputy_id is None


def test_with_csrf_on_the_form_needs_no_session_and_the_rating_gets_a_public_error_page(app, world, client,
                                                                                        monkeypatch):
    """The form is exempt (its signed check field proves where it came from, and a phone that
    lost its session cookie must not lose a long text); the rating form is not."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    env = address()
    code = receipt_code(send(client, env, {"title": unique("无会话"), "text": "没有 cookie 也能提交。"}))
    response = client.post(f"/p/{TOWN}/o/{code}/rate", data={"satisfaction": "satisfied"}, environ_base=env)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'data-testid="public-error"' in html and "/login" not in html


def test_guessing_codes_is_throttled(app, world, client):
    env = address()
    limit = int(app.config["PUBLIC_LOOKUP_RATE_LIMIT"].split(" per ")[0])
    for n in range(limit):
        assert client.get(f"/p/{TOWN}/o/ZZZZ{n:04d}", environ_base=env).status_code == 404
    response = client.get(f"/p/{TOWN}/o/ZZZZ9999", environ_base=env)
    assert response.status_code == 429 and 'data-testid="public-error"' in response.get_data(as_text=True)
    assert client.get(f"/p/{TOWN}/o/ZZZZ9999", environ_base=address()).status_code == 404
