"""The annual review in a real browser (一年一审议): staff record the review of the year's
projects, enter the paper tallies, print ballot codes; a voter scans one on a phone and
votes (the slip counts once); one project passes with 100%, another fails the pass mark; a tally larger than the
people present is refused; next year's candidates are consulted."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from .conftest import image_width, shot
from .test_demo import sign_in

pytestmark = pytest.mark.browser

YEAR = 2026
PASSING = "后庄村便民桥修建"
FAILING = "东岭村通组道路硬化"


def _projects(app) -> dict[str, int]:
    """Two of the year's projects for the vote, made here so the test does not lean on the demo's."""
    from sqlalchemy import select

    from tenants.models import Town
    from webapp.access import bound_to
    from webapp.extensions import db
    from webapp.projects.models import Project, ProjectKind
    from webapp.projects.services import create_project

    with app.app_context():
        town_id = db.session.scalar(select(Town.id).where(Town.slug == "yinzhuang"))
    ids = {}
    with app.app_context(), bound_to(town_id):
        for name, kind, what in ((PASSING, ProjectKind.livelihood, "拆除危桥，新建宽4.5米的钢筋混凝土便民桥一座。"),
                                 (FAILING, ProjectKind.key, "硬化东岭村通组道路3.2公里，配套排水边沟。")):
            found = db.session.scalar(select(Project).where(Project.year == YEAR, Project.name == name))
            if found is None:
                found = create_project(actor=None, data={"year": YEAR, "name": name, "kind": kind, "description": what,
                                                         "location": "尹庄镇"})
            ids[name] = found.id
    return ids


def _tally(page, pid: int, present: tuple[int, int], counts: dict[str, int]) -> None:
    card = f"[data-testid=vote-{pid}]"
    if not page.locator(f"{card} [data-testid=tally-{pid}]").evaluate("d => d.open"):
        page.click(f"{card} [data-testid=tally-{pid}] summary")
    page.fill(f"{card} [data-testid=in-present_voters]", str(present[0]))
    page.fill(f"{card} [data-testid=in-present_deputies]", str(present[1]))
    for name, value in counts.items():
        page.fill(f"{card} [data-testid=in-{name}]", str(value))
    page.click(f"[data-testid=save-tally-{pid}]")


def _vote(page, pid: int) -> dict:
    card = page.locator(f"[data-testid=vote-{pid}]")
    return {"rate": card.get_attribute("data-rate"), "total": card.get_attribute("data-total"),
            "passed": card.get_attribute("data-passed")}


def test_an_annual_vote_passes_with_100_percent_and_another_fails(page, browser, app, demo_server):
    ids = _projects(app)
    passing, failing = ids[PASSING], ids[FAILING]
    sign_in(page, demo_server, "yz_staff")
    page.goto(demo_server + "/t/yinzhuang/projects/reviews/")
    page.click("[data-testid=new-review]")
    page.fill("#f-show-year", str(YEAR))
    page.click("[data-testid=year-form] button")
    assert page.locator(f"#f-p-{passing}").is_checked() and page.locator(f"#f-p-{failing}").is_checked()
    page.fill("#f-day", f"{YEAR}-12-18")
    page.fill("#f-place", "尹庄镇人大代表联络站会议室")
    page.select_option("#f-attendee_ids", index=[0, 1, 2, 3, 4, 5])
    page.fill("#f-other_attendees", "选民代表40人，项目责任单位负责人")
    shot(page, "review-new")
    page.click("[data-testid=create-review]")
    page.wait_for_url(re.compile(r".*/projects/reviews/\d+$"))
    review_url = page.url
    assert page.locator(".alert-success").count() == 1

    # the paper tallies: all satisfied; ten voters get ballot codes to vote by phone instead
    _tally(page, passing, (40, 12), {"voters_satisfied": 30, "deputies_satisfied": 12})
    assert page.locator(".alert-success").count() == 1
    assert _vote(page, passing) == {"rate": "100.0", "total": "42", "passed": "yes"}
    page.click(f"[data-testid=ballots-{passing}] summary")
    page.select_option(f"[data-testid=ballot-voter-{passing}]", "voters")
    page.fill(f"[data-testid=ballot-count-{passing}]", "10")
    page.click(f"[data-testid=issue-ballots-{passing}]")
    page.wait_for_url(re.compile(r".*/ballots\.html(#.*)?$"))
    assert page.locator("[data-testid=ballot-slip]").count() == 10
    assert image_width(page, "[data-testid=ballot-qr]") > 0
    url = page.locator("[data-testid=ballot-slip]").first.get_attribute("data-url")
    shot(page, "review-ballot-sheet")
    page.emulate_media(media="print")
    shot(page, "review-ballot-sheet-print")
    page.emulate_media(media="screen")

    # a voter scans the slip with a phone
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    voter = phone.new_page()
    voter.goto(demo_server + urlparse(url).path)
    assert PASSING in voter.inner_text("[data-testid=ballot-project]")
    shot(voter, "review-ballot-phone")
    voter.click("[data-testid=vote-satisfied]")
    voter.wait_for_selector("[data-testid=ballot-cast]")
    shot(voter, "review-ballot-phone-cast")
    voter.goto(demo_server + urlparse(url).path)  # the slip again: it counted once
    assert voter.locator("[data-testid=ballot-used]").count() == 1
    assert voter.locator("[data-testid=ballot-choices]").count() == 0
    shot(voter, "review-ballot-phone-used")
    phone.close()

    page.goto(review_url)
    assert _vote(page, passing) == {"rate": "100.0", "total": "43", "passed": "yes"}  # 9 codes not used
    assert page.inner_text(f"[data-testid=count-{passing}-voters-satisfied]") == "31"
    assert "text-bg-success" in page.get_attribute(f"[data-testid=vote-{passing}] [data-testid=verdict]", "class")

    # the other project: a tally larger than the people present is refused, then the real count fails the mark
    _tally(page, failing, (30, 10), {"voters_satisfied": 25, "voters_basically": 5, "voters_not_satisfied": 13})
    assert page.locator(f"[data-testid=vote-{failing}] [data-testid=tally-error]").count() == 1
    assert _vote(page, failing)["total"] == "0"
    shot(page, "review-tally-refused")
    _tally(page, failing, (30, 10), {"voters_satisfied": 12, "voters_basically": 5, "voters_not_satisfied": 13,
                                     "deputies_satisfied": 4, "deputies_basically": 2, "deputies_not_satisfied": 4})
    assert _vote(page, failing) == {"rate": "57.5", "total": "40", "passed": "no"}  # 23 of 40
    assert "text-bg-danger" in page.get_attribute(f"[data-testid=vote-{failing}] [data-testid=verdict]", "class")

    # next year's candidates
    page.fill("[data-testid=candidate-name]", "后庄村文化活动室")
    page.fill("[data-testid=add-candidate] input[name=description]", "利用闲置村部改建文化活动室")
    page.fill("[data-testid=candidate-support]", "45")
    page.fill("[data-testid=candidate-object]", "3")
    page.fill("#f-c-comments", "建议配套图书角")
    page.click("[data-testid=candidate-add]")
    assert "后庄村文化活动室" in page.inner_text("[data-testid=candidates]")

    summary = page.locator("[data-testid=review-summary]")
    assert int(summary.get_attribute("data-passed")) >= 1 and int(summary.get_attribute("data-unanimous")) >= 1
    assert int(summary.get_attribute("data-voted")) - int(summary.get_attribute("data-passed")) >= 1
    shot(page, "review-results")

    # close the vote on the passing project: its forms go away
    page.click(f"[data-testid=close-{passing}]")
    assert page.locator(f"[data-testid=vote-{passing}] [data-testid=closed]").count() == 1
    assert page.locator(f"[data-testid=save-tally-{passing}]").count() == 0

    page.goto(demo_server + "/t/yinzhuang/projects/reviews/")
    shot(page, "review-index")
    older = page.locator("[data-testid=reviews] tbody tr a")
    if older.count() > 1:  # the demo's review of last year, when the demo has one
        older.last.click()
        assert page.locator("[data-testid=review-summary]").count() == 1
        shot(page, "review-demo-last-year")
