"""Key projects in a real browser, as the town's staff: set a supervision group's leader and
members, add a project, record the group's monthly briefing and a quarterly inspection with
two findings and a photo, take one finding through the rectification ledger (assigned,
rectified, refused without evidence, evidence uploaded, verified), and find the project on
the board."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from .conftest import image_width, shot
from .test_demo import sign_in

pytestmark = pytest.mark.browser

PROJECT = "尹庄村文化广场提升工程"
GROUP = "民生实事组"
UNIT = "规划建设办公室"


def photo_png(width: int = 160, height: int = 120) -> bytes:
    """A small colourful PNG: a site photo, or the evidence of a rectification."""
    import png

    rows = [[v for x in range(width) for v in (180 + x % 60, 90 + (x + y) % 120, 60 + y % 80)] for y in range(height)]
    out = io.BytesIO()
    png.Writer(width, height, greyscale=False).write(out, rows)
    return out.getvalue()


def _png(name: str) -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": photo_png()}


def test_staff_run_a_project_through_the_five_ones_and_the_rectification_ledger(page, demo_server):
    today = date.today()
    sign_in(page, demo_server, "yz_staff")
    page.click("[data-testid=nav-projects]")
    page.wait_for_url(demo_server + "/t/yinzhuang/projects/")

    # the group: a leader and two more members
    page.click("[data-testid=projects-nav] a[href$='/groups']")
    page.click("[data-testid=edit-members-livelihood]")
    form = page.locator("[data-testid=members-form-livelihood]")
    form.locator("[data-testid=leader-select]").select_option(index=5)
    leader = form.locator("[data-testid=leader-select] option:checked").inner_text().strip()
    boxes = form.locator("input[name=member_ids]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    shot(page, "projects-group-members-form")
    form.locator("button[type=submit]").click()
    group_card = page.locator("[data-testid=group-livelihood]")
    assert leader in group_card.locator("[data-testid=leader]").inner_text()
    assert leader in group_card.locator("[data-testid=members]").inner_text()
    shot(page, "projects-groups")

    # the project
    page.goto(demo_server + "/t/yinzhuang/projects/")
    page.click("[data-testid=new-project]")
    page.fill("#f-name", PROJECT)
    page.select_option("#f-kind", "livelihood")
    page.select_option("#f-unit_id", label=UNIT)
    page.select_option("#f-group_id", label=GROUP)
    page.select_option("#f-phase", "construction")
    page.fill("#f-progress", "35")
    page.fill("#f-budget", "86.5")
    page.fill("#f-location", "尹庄村村委会南侧")
    page.fill("#f-description", "广场硬化、健身器材和路灯，年底前交付。")
    shot(page, "projects-new")
    page.click("[data-testid=save-project]")
    assert PROJECT in page.inner_text("[data-testid=project-name]")
    assert UNIT in page.inner_text("[data-testid=unit]") and GROUP in page.inner_text("[data-testid=group]")
    project_url = page.url

    # a milestone, planned and marked done
    page.click("[data-testid=edit-project]")
    page.fill("#f-m-name", "广场硬化完成")
    page.select_option("#f-m-phase", "construction")
    page.fill("#f-m-planned_on", (today + timedelta(days=20)).isoformat())
    page.click("[data-testid=milestone-form] button")
    assert "广场硬化完成" in page.inner_text("[data-testid=milestones]")
    page.click("[data-testid=milestone-done] button")
    assert "✓" not in page.inner_text("[data-testid=milestones]")  # on the edit page: the date is shown
    shot(page, "projects-edit")
    page.goto(project_url)
    assert "✓" in page.inner_text("[data-testid=milestones]")

    # the monthly briefing, from the project's page
    page.click("[data-testid=brief-project]")
    assert page.locator("#f-group_id option:checked").inner_text().strip() == GROUP
    page.fill("#f-place", "镇政府三楼会议室")
    page.fill("#f-summary", "规划建设办公室汇报：广场硬化完成六成，健身器材已采购。")
    page.fill("#f-issues_reported", "雨天影响混凝土养护")
    page.fill("#f-suggestions", "合理安排工期，确保年底前交付")
    page.fill("#f-sent_to_presidium_on", today.isoformat())
    attendees = page.locator("[data-testid=attendees] input")
    for n in (0, 1, 2):
        attendees.nth(n).check()
    page.click("[data-testid=save-record]")
    assert PROJECT in page.inner_text("[data-testid=record-projects]")
    assert "雨天影响混凝土养护" in page.inner_text("[data-testid=issues]")
    shot(page, "projects-briefing")

    # the quarterly inspection: a photo, two findings (the second assigned at once)
    page.goto(project_url)
    page.click("[data-testid=inspect-project]")
    page.fill("#f-place", "尹庄村文化广场")
    page.fill("#f-summary", "现场查看广场硬化和路灯安装情况。")
    page.locator("[data-testid=attendees] input").nth(0).check()
    page.set_input_files("#f-photos", [_png("site.png")])
    rows = page.locator("[data-testid=finding-row]")
    rows.nth(0).locator("textarea").fill("广场东侧排水沟未清理，雨后积水")
    rows.nth(1).locator("textarea").fill("施工区域安全围挡缺失")
    rows.nth(1).locator("select[name=finding_unit_id]").select_option(label=UNIT)
    rows.nth(1).locator("input[name=finding_due_on]").fill((today + timedelta(days=10)).isoformat())
    shot(page, "projects-inspection-form")
    page.click("[data-testid=save-record]")
    findings = page.locator("[data-testid=findings] [data-testid=finding-row]")
    assert findings.count() == 2
    states = page.locator("[data-testid=findings] [data-testid=finding-state]").all()
    assert [s.get_attribute("data-state") for s in states] == ["found", "assigned"]
    assert image_width(page, "[data-testid=photos] img") == 160
    shot(page, "projects-inspection")

    # the rectification ledger: assign, rectify, verify (refused until there is evidence)
    page.click("text=广场东侧排水沟未清理")
    step = page.locator("[data-testid=step-assign]")
    step.locator("[data-testid=unit-select]").select_option(label=UNIT)
    step.locator("[data-testid=due-input]").fill((today + timedelta(days=14)).isoformat())
    step.locator("textarea").fill("请两周内清理排水沟")
    step.locator("button").click()
    assert page.locator("[data-testid=finding-state]").get_attribute("data-state") == "assigned"
    page.fill("[data-testid=evidence-text]", "排水沟已清淤，雨后无积水。")
    page.click("[data-testid=step-rectify] button")
    assert page.locator("[data-testid=finding-state]").get_attribute("data-state") == "rectified"
    page.click("[data-testid=step-verify] button")  # no photo or document yet
    assert page.locator("[data-testid=error-file]").is_visible()
    assert page.locator("[data-testid=finding-state]").get_attribute("data-state") == "rectified"
    shot(page, "projects-verify-refused")
    page.set_input_files("[data-testid=evidence-upload] input[type=file]", [_png("after.png")])
    page.click("[data-testid=evidence-upload] button")
    assert image_width(page, "[data-testid=evidence-files] img") == 160
    page.click("[data-testid=step-verify] button")
    assert page.locator("[data-testid=finding-state]").get_attribute("data-state") == "verified"
    assert "排水沟已清淤" in page.inner_text("[data-testid=evidence]")
    history = page.locator("[data-testid=history] li")
    assert [h.get_attribute("data-testid") for h in history.all()] == [
        "event-find", "event-assign", "event-rectify", "event-verify"]
    shot(page, "projects-finding-verified")

    # the ledger, the project's timeline, the board
    page.goto(demo_server + "/t/yinzhuang/projects/findings")
    ledger = page.inner_text("[data-testid=ledger]")
    assert "广场东侧排水沟未清理" in ledger and "施工区域安全围挡缺失" in ledger
    shot(page, "projects-ledger")
    page.goto(project_url)
    timeline = page.locator("[data-testid=timeline]")
    assert timeline.locator("[data-testid=timeline-briefing]").count() == 1
    assert timeline.locator("[data-testid=timeline-inspection]").count() == 1
    assert timeline.locator("[data-testid=timeline-milestone]").count() == 1
    assert page.inner_text("[data-testid=open-count]").strip() == "1"
    shot(page, "projects-project")
    page.goto(demo_server + "/t/yinzhuang/projects/")
    row = page.locator("[data-testid=project-row]", has_text=PROJECT)
    assert row.count() == 1 and row.locator("[data-testid=open-findings]").inner_text().strip() == "1"
    assert page.locator("[data-testid=phase-chart] rect").count() >= 1
    shot(page, "projects-board")
    page.click("[data-testid=by-phase]")
    assert page.locator("[data-testid=phase-construction] [data-testid=project-row]", has_text=PROJECT).count() == 1
    shot(page, "projects-board-by-phase")
