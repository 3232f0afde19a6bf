"""A committee member issues an invitation code; a town signs itself up with it, is walked
through the first-run guide and reaches its dashboard."""

from __future__ import annotations

import re

import pytest

from .conftest import shot
from .test_demo import sign_in

pytestmark = pytest.mark.browser


def test_a_town_signs_up_with_an_invitation_code_and_reaches_its_dashboard(browser, page, demo_server):
    sign_in(page, demo_server, "lb_committee")
    page.click("[data-testid=invitations-link]")
    page.fill("#f-town_name", "苏村乡")
    page.select_option("#f-template", "yinzhuang")
    page.click("[data-testid=invite-form] button")
    assert "已生成" in page.inner_text(".alert")
    code = page.locator("[data-testid=invitation-code]").first.inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    shot(page, "committee-invitations")

    town = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = town.new_page()  # the town's new admin, on a phone
    phone.goto(f"{demo_server}/onboard/?code={code}")
    assert phone.input_value("#f-town_name") == "苏村乡"
    assert "灵宝市" in phone.inner_text("[data-testid=signup-region]")
    assert phone.is_checked("#t-yinzhuang")
    phone.fill("#f-display_name", "苏村乡人大主席 王强")
    phone.fill("#f-phone", "13912345678")
    phone.fill("#f-username", "scx_admin")
    phone.fill("#f-password", "sucun-2026-ok")
    phone.fill("#f-confirm_password", "sucun-2026-no")
    phone.click("[data-testid=signup-form] button[type=submit]")
    assert "不一致" in phone.inner_text("[data-testid=error-confirm_password]")
    phone.fill("#f-password", "sucun-2026-ok")
    phone.fill("#f-confirm_password", "sucun-2026-ok")
    shot(phone, "onboard-signup")
    phone.click("[data-testid=signup-form] button[type=submit]")
    phone.wait_for_url(re.compile(r".*/t/\w+/welcome\?new=1$"))
    assert "苏村乡" in phone.inner_text("[data-testid=welcome-new]")
    assert phone.locator("[data-testid=welcome-steps] > li").count() == 4
    assert phone.get_attribute("[data-testid=step-staff]", "data-done") == "no"
    shot(phone, "onboard-welcome")
    phone.click("text=进入联络站首页")
    assert "苏村乡人大代表联络站" in phone.inner_text("h1")
    assert "0 / 4" in phone.inner_text("[data-testid=first-run]") or "1 / 4" in phone.inner_text(
        "[data-testid=first-run]")
    shot(phone, "onboard-dashboard")
    town.close()

    page.reload()
    assert "已使用" in page.locator("[data-testid=invitations] tr", has_text=code).inner_text()
