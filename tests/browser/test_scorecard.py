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
