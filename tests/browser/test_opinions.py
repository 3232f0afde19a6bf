"""Opinions in a real browser: a constituent sends one from a phone and tracks it by its
receipt code; staff accept and assign it, record the unit's answer and the feedback; the
constituent rates it; an overdue opinion is on the overdue list."""

from __future__ import annotations

import re
from datetime import date

import pytest

from .conftest import shot
from .test_demo import sign_in

pytestmark = pytest.mark.browser

TITLE = "后庄村口路灯不亮"


def _phone(browser):
    return browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)


def test_a_constituent_sends_tracks_and_rates_an_opinion_that_staff_handle(page, browser, demo_server):
    phone = _phone(browser)
    visitor = phone.new_page()
    visitor.goto(demo_server + "/p/yinzhuang/")
    visitor.click("[data-testid=to-opinion-form]")
    visitor.fill("#f-title", TITLE)
    visitor.fill("#f-text", "后庄村村口三盏路灯坏了快一个月，晚上老人孩子走路看不见。")
    visitor.fill("#f-name", "王秀英")
    visitor.fill("#f-phone", "13937112345")
    a, b = map(int, re.findall(r"\d+", visitor.inner_text("[data-testid=question]"))[:2])
    visitor.fill("#f-answer", str(a + b))
    shot(visitor, "opinion-public-form")
    visitor.click("[data-testid=send]")
    code = visitor.inner_text("[data-testid=receipt-code]").strip()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", code), code
    shot(visitor, "opinion-public-receipt")

    # tracking by the code, typed in lower case
    visitor.goto(demo_server + "/p/yinzhuang/track")
    visitor.fill("#f-code", code.lower())
    visitor.click("main button[type=submit]")
    assert TITLE in visitor.inner_text("[data-testid=opinion-status]")
    assert "13937112345" not in visitor.content()

    # the staff handle it
    sign_in(page, demo_server, "yz_staff")
    page.click("[data-testid=nav-opinions]")
    page.fill("#q", code)
    page.click("[data-testid=filters] button")
    page.click(f"text={TITLE}")
    assert "13937112345" in page.inner_text("main")  # staff see the phone
    page.click("[data-testid=step-accept] button")
    assert "已完成" in page.inner_text(".alert-success")
    page.select_option("[data-testid=unit-select]", label="规划建设办公室")
    page.fill("[data-testid=step-assign] textarea", "请一周内修复并反馈")
    page.click("[data-testid=step-assign] button")
    assert "已交办" in page.inner_text("[data-testid=state]")
    page.fill("[data-testid=answer-text]", "已更换三盏路灯，11月30日晚全部亮灯。")
    page.click("[data-testid=step-answer] button")
    page.click("[data-testid=step-feedback] button")
    assert "已反馈" in page.inner_text("[data-testid=state]")
    history = page.inner_text("[data-testid=history]")
    for step in ("已收集", "受理", "交办", "已办理完成", "已反馈"):
        assert step in history, step
    shot(page, "opinion-staff-detail")

    # the constituent sees the answer and rates it
    visitor.reload()
    assert "已更换三盏路灯" in visitor.inner_text("[data-testid=answer]")
    visitor.check("#f-s-satisfied")
    visitor.fill("#f-comment", "修得很快，谢谢！")
    visitor.click("[data-testid=rate-send]")
    assert "满意" in visitor.inner_text("[data-testid=rating]")
    shot(visitor, "opinion-public-rated")
    phone.close()

    page.reload()
    assert "已办结" in page.inner_text("[data-testid=state]")
    assert "满意" in page.inner_text("[data-testid=satisfaction]")


def test_an_overdue_opinion_is_on_the_overdue_list(page, app, demo_server):
    from sqlalchemy import select

    from tenants.models import Town
    from webapp.access import bound_to
    from webapp.extensions import db
    from webapp.opinions.models import Channel, ResponsibleUnit
    from webapp.opinions.services import create_opinion, transition

    with app.app_context():
        town_id = db.session.scalar(select(Town.id).where(Town.slug == "yinzhuang"))
    with app.app_context(), bound_to(town_id):
        opinion = create_opinion(actor=None, actor_name="测试", data={
            "channel": Channel.staff, "title": "东岭村灌溉渠堵塞（逾期测试）", "text": "渠道被落叶和淤泥堵住。",
            "received_on": date(2026, 9, 1)})
        transition(opinion, "accept", today=date(2026, 9, 2))
        unit = db.session.scalar(select(ResponsibleUnit.id).where(ResponsibleUnit.name == "农业农村办公室"))
        transition(opinion, "assign", data={"unit_id": unit}, today=date(2026, 9, 2))
    sign_in(page, demo_server, "yz_staff")
    page.goto(demo_server + "/t/yinzhuang/opinions/")
    page.click("[data-testid=overdue-link]")
    overdue = page.inner_text("[data-testid=overdue-list]")
    assert "东岭村灌溉渠堵塞（逾期测试）" in overdue and "农业农村办公室" in overdue
    shot(page, "opinions-overdue")
    page.goto(demo_server + "/t/yinzhuang/opinions/stats")
    assert page.locator("[data-testid=month-chart] rect").count() == 24
    shot(page, "opinions-stats")
