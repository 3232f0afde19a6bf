"""Reception days in a real browser: set the rule, generate a year's rota, see the public notice."""

from __future__ import annotations

import pytest

from .conftest import image_width, shot
from .test_demo import sign_in

pytestmark = pytest.mark.browser


def test_configure_the_rule_generate_a_rota_and_see_the_public_notice(page, demo_server):
    sign_in(page, demo_server, "yz_admin")
    page.click("[data-testid=nav-receptions]")
    assert "接待代表" in page.inner_text("[data-testid=rota]")  # the demo's rota for this year
    page.click("text=修改接待日规则")
    page.check("#r-dom")
    page.fill("#f-day", "5")
    page.select_option("#f-holiday_policy", "next_working_day")
    page.fill("#f-start", "08:30")
    page.fill("#f-end", "11:30")
    page.fill("#f-place", "尹庄镇人大代表联络站接待室")
    shot(page, "reception-rule")
    page.click("main button[type=submit]")
    assert "每月5日" in page.inner_text("[data-testid=rule]")
    page.goto(demo_server + "/t/yinzhuang/receptions/?year=2028")
    page.check("[data-testid=generate] input[type=checkbox] >> nth=0")
    page.click("[data-testid=generate] button")
    assert "2028年安排表已生成，共 12 个接待日" in page.inner_text(".alert-success")
    october = page.inner_text("[data-testid=rota-10]")
    assert "2028年10月" in october
    page.click("[data-testid=lock-3]")
    assert page.inner_text("[data-testid=lock-3]") == "解锁"
    shot(page, "rota-2028")
    page.click("[data-testid=poster-10]")
    assert "接待日公告" in page.inner_text("[data-testid=poster]")
    assert image_width(page, "[data-testid=poster-qr]") > 0
    shot(page, "poster")
    page.goto(demo_server + "/p/yinzhuang/")
    notice = page.inner_text("[data-testid=next-reception]")
    assert "接待代表" in notice and "08:30" in notice and "接待室" in notice
    shot(page, "public-next-reception")


def test_a_deputy_confirms_and_staff_see_it(page, demo_server):
    sign_in(page, demo_server, "yz_deputy")
    page.goto(demo_server + "/t/yinzhuang/receptions/mine")
    first = page.locator("[data-testid^=my-day-]").first
    day_id = first.get_attribute("data-testid").rsplit("-", 1)[1]
    page.click(f"[data-testid=confirm-{day_id}]")
    assert "联络站已收到您的答复" in page.inner_text(".alert-success")
    assert "参加" in page.inner_text(f"[data-testid=my-day-{day_id}]")
    shot(page, "my-reception-days")
    page.click("text=退出")
    sign_in(page, demo_server, "yz_staff")
    page.goto(demo_server + "/t/yinzhuang/receptions/?year=2026")
    if page.locator(f"[data-testid^=duty-{day_id}-]").count() == 0:
        page.goto(demo_server + "/t/yinzhuang/receptions/?year=2027")
    duty = page.locator(f"[data-testid^=duty-{day_id}-]:has-text('赵国强')")
    assert "✓" in duty.inner_text()


def test_a_deputy_subscribes_to_their_duty_calendar(page, demo_server):
    from icalendar import Calendar

    sign_in(page, demo_server, "yz_deputy")
    page.goto(demo_server + "/t/yinzhuang/receptions/mine")
    page.click("[data-testid=my-calendar] button")
    url = page.inner_text("[data-testid=my-calendar-url]")
    shot(page, "my-calendar")
    response = page.request.get(url)
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    summaries = [str(e["summary"]) for e in Calendar.from_ical(response.body()).walk("VEVENT")]
    assert any(s.startswith("接待日") for s in summaries)  # duty days
    assert any(s.startswith(("周议事", "头雁论坛", "季联席", "培训", "研学", "视察", "代表述职")) for s in summaries)  # activities
