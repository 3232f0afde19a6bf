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


def test_an_operator_recomputes_a_towns_quarter_and_follows_the_run(page, demo_server, app, stack):
    from redis import Redis
    from rq import Queue, SimpleWorker

    queue = Queue("rollups", connection=Redis.from_url(stack.redis_url))
    queue.empty()
    sign_in(page, demo_server, "operator")
    page.wait_for_url(demo_server + "/admin/")
    page.click("a:has-text('季度汇总')")
    page.select_option("#f-town", label="尹庄镇")
    page.select_option("#f-quarter", index=1)  # the quarter just finished
    page.click("button:has-text('重新计算')")
    assert "正在重新计算" in page.inner_text(".alert")
    assert len(queue.job_ids) == 1
    runs = page.locator("[data-testid=rollup-runs]")
    assert "100" not in runs.locator("[data-testid=run-percent]").first.inner_text()
    with app.app_context():  # the worker of `make demo`, run here until the queue is empty
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    page.reload()
    assert runs.locator("[data-testid=run-percent]").first.inner_text() == "100"
    done, total = runs.locator("[data-testid=run-towns]").first.inner_text().split(" / ")
    assert done == total and int(total) >= 1  # towns done of the day's towns
    shot(page, "operator-rollups")
    queue.empty()
