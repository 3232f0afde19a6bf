"""The annual evaluation in a real browser: the station admin changes two weights of the
template (still adding up), opens a year, enters the presidium's scores, closes the year and
reads the ranking and one deputy's explained sheet."""

from __future__ import annotations

import pytest

from .conftest import shot
from .test_demo import sign_in

pytestmark = pytest.mark.browser


def test_configure_open_score_close_and_read_a_sheet(page, demo_server):
    sign_in(page, demo_server, "yz_admin")
    page.click("[data-testid=nav-evaluations]")
    page.click("[data-testid=to-template]")
    page.fill("[data-testid=indicator-training] input[name^=weight_]", "2")
    page.fill("[data-testid=indicator-duty_report] input[name^=weight_]", "0")
    shot(page, "evaluation-template")
    page.click("[data-testid=save-template]")
    assert page.locator(".alert-success").count() == 1
    assert page.input_value("[data-testid=indicator-training] input[name^=weight_]") == "2"

    # a weight that breaks the sum is refused with the message, nothing saved
    page.fill("[data-testid=indicator-grid_work] input[name^=weight_]", "3")
    page.click("[data-testid=save-template]")
    assert page.locator("[data-testid=form-error]").count() == 1
    shot(page, "evaluation-template-refused")
    page.goto(demo_server + "/t/yinzhuang/evaluations/template")
    assert page.input_value("[data-testid=indicator-grid_work] input[name^=weight_]") == "1"

    page.click("[data-testid=nav-evaluations]")
    year = next(y for y in range(2026, 2000, -1) if page.locator(f"[data-testid=year-{y}]").count() == 0)
    page.fill("#f-year", str(year))
    page.click("[data-testid=open-year]")
    assert page.get_attribute("[data-testid=year-state]", "data-state") == "open"
    assert page.locator("[data-testid=rank-row]").count() > 3
    year_url = page.url
    shot(page, "evaluation-year-open")

    page.click("[data-testid=to-scores]")
    rows = page.locator("[data-testid=score-row]")
    deputies = [rows.nth(n).get_attribute("data-deputy") for n in range(3)]
    for deputy, value in zip(deputies, ("9.5", "8", "7")):
        page.fill(f"[name=score-{deputy}-presidium_assessment]", value)
    page.fill(f"[name=score-{deputies[2]}-voter_assessment]", "12")  # above the cap: nothing is saved
    page.click("[data-testid=save-scores]")
    assert page.locator(f"[data-testid=error-score-{deputies[2]}-voter_assessment]").count() == 1
    shot(page, "evaluation-scores-refused")
    page.fill(f"[name=score-{deputies[2]}-voter_assessment]", "6")
    page.click("[data-testid=save-scores]")
    assert page.locator(".alert-success").count() == 1
    assert page.input_value(f"[name=score-{deputies[0]}-presidium_assessment]") == "9.5"
    shot(page, "evaluation-scores")

    page.goto(year_url)
    page.click("[data-testid=close-year]")
    assert page.get_attribute("[data-testid=year-state]", "data-state") == "closed"
    assert page.locator("[data-testid=close-year]").count() == 0
    first = page.locator("[data-testid=rank-row]").first
    assert first.locator("[data-testid=rank]").inner_text() == "1"
    shot(page, "evaluation-ranking")

    page.click(f"[data-testid=rank-row][data-deputy='{deputies[0]}'] a")
    assert page.locator("[data-testid=line-presidium_assessment]").count() == 1
    assert page.inner_text("[data-testid=weighted-presidium_assessment]") == "9.50"
    assert page.locator("[data-testid=sheet-lines] tbody tr").count() == 11
    shot(page, "evaluation-sheet")

    # the demo's current year: the leader's sheet lists the records counted, linked
    page.click("[data-testid=nav-evaluations]")
    if page.locator(f"[data-testid=open-year-{year + 1}]").count():
        page.click(f"[data-testid=open-year-{year + 1}]")
        shot(page, "evaluation-year-demo")
        page.click("[data-testid=rank-row] a >> nth=0")
        assert page.locator("[data-testid=sheet-lines] tbody tr").count() == 11
        shot(page, "evaluation-sheet-records")
