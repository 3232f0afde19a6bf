"""A committee member reads the quarter's compliance scorecard and drills into a town, read-only."""

from __future__ import annotations

import pytest

from .conftest import shot
from .test_demo import sign_in

pytestmark = pytest.mark.browser


def test_the_committee_reads_the_scorecard_and_drills_into_a_town(page, demo_server):
    sign_in(page, demo_server, "lb_committee")
    page.click("[data-testid=scorecard-link]")
    table = page.locator("[data-testid=scorecard]")
    assert "尹庄镇" in table.inner_text()
    assert page.locator("[data-testid=scorecard] tr[data-rag]").count() >= 2
    assert page.locator("[data-testid=distribution] rect").count() == 5
    shot(page, "committee-scorecard")
    page.select_option("#compare", index=2)
    page.click("[data-testid=quarter-form] button")
    assert "尹庄镇" in page.inner_text("[data-testid=scorecard]")
    page.click("[data-testid=scorecard] a:has-text('尹庄镇')")
    assert "/t/yinzhuang/" in page.url
    shot(page, "committee-drills-into-town")


def test_the_committee_issues_a_notice_the_town_answers_the_committee_accepts(browser, page, demo_server):
    sign_in(page, demo_server, "lb_committee")
    page.click("[data-testid=scorecard-link]")
    page.click("[data-testid=notice-yinzhuang]")
    page.select_option("#f-topic", "findings")
    page.fill("#f-subject", "督促尹庄镇整改逾期问题")
    page.fill("#f-body", "请于两周内完成整改并报送佐证材料。")
    page.fill("#f-due_on", "2099-12-31")
    shot(page, "committee-notice-new")
    page.click("main button[type=submit]")
    assert "督促尹庄镇整改逾期问题" in page.inner_text("[data-testid=notice-subject]")
    notice_url = page.url

    town = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    staff = town.new_page()
    sign_in(staff, demo_server, "yz_staff")
    staff.goto(demo_server + "/t/yinzhuang/")
    staff.click("[data-testid=town-notices-link]")
    staff.click("text=督促尹庄镇整改逾期问题")
    staff.fill("[data-testid=actions]", "已完成两项整改，佐证材料已上传。")
    staff.click("[data-testid=respond] button")
    assert "两项整改" in staff.inner_text("[data-testid=notice-history]")
    shot(staff, "town-notice-answered")
    town.close()

    page.goto(notice_url)
    page.click("[data-testid=accept]")
    history = page.inner_text("[data-testid=notice-history]")
    assert "两项整改" in history
    shot(page, "committee-notice-accepted")
    page.click("text=← ")
    assert "督促尹庄镇整改逾期问题" in page.inner_text("[data-testid=notices]")
