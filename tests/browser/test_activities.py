"""Activities in a real browser: a weekly deliberation, a deputy checks in by its QR address
on a phone, staff record the minutes; the cadence view."""

from __future__ import annotations

import pytest

from .conftest import image_width, shot
from .test_demo import sign_in

pytestmark = pytest.mark.browser


def test_a_deliberation_check_in_by_qr_and_minutes(page, browser, demo_server):
    sign_in(page, demo_server, "yz_staff")
    page.click("[data-testid=nav-activities]")
    page.click("text=新建活动")
    page.select_option("#f-type_id", label="周议事")
    page.fill("#f-theme", "尹庄村道路硬化后的排水问题")
    page.fill("#f-place", "尹庄村委会议室")
    page.fill("#f-organiser", "人大秘书 张敏")
    page.check("[data-testid=invitees] label:has-text('赵国强') input")
    shot(page, "activity-new")
    page.click("main button[type=submit]")
    assert "尹庄村道路硬化后的排水问题" == page.inner_text("[data-testid=activity-theme]")
    assert image_width(page, "[data-testid=checkin-qr]") > 0
    url = page.inner_text("[data-testid=checkin-url]")
    shot(page, "activity-detail")

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    deputy = phone.new_page()
    deputy.goto(url)  # not signed in yet: the sign-in page, then back to the check-in
    deputy.fill("#f-identifier", "yz_deputy")
    deputy.fill("#f-password", "liaison-demo-2026")
    deputy.click("main button[type=submit]")
    deputy.click("text=以赵国强身份签到")
    assert "签到成功" in deputy.inner_text("[data-testid=checked-in]")
    shot(deputy, "activity-checkin-phone")
    phone.close()

    page.reload()
    assert "扫码签到" in page.inner_text("[data-testid=attendance]")
    page.fill("#f-minutes", "与会代表一致建议在雨季前疏通排水渠，责任单位为镇村建所。")
    page.fill("#f-opinions_raised", "3")
    page.click("form:has(#f-minutes) button")
    assert "纪要已保存" in page.inner_text(".alert-success")
    page.click("[data-testid=nav-activities]")
    page.click("[data-testid=cadence-link]")
    assert "周议事" in page.inner_text("[data-testid=cadence]")
    shot(page, "cadence")


def test_the_station_admin_changes_the_expected_cadence(page, demo_server):
    sign_in(page, demo_server, "yz_admin")
    page.goto(demo_server + "/t/yinzhuang/activities/cadence")
    page.click("[data-testid=types-link]")
    page.select_option("#cadence_lead_goose_forum", "quarterly")
    page.click("[data-testid=save-types]")
    assert "已保存" in page.inner_text(".alert-success")
    assert page.locator("#cadence_lead_goose_forum").input_value() == "quarterly"
    shot(page, "activity-types")
    page.select_option("#cadence_lead_goose_forum", "monthly")
    page.click("[data-testid=save-types]")
