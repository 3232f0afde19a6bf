"""Grids at Yinzhuang's size in a real browser: the counts, a grid, assigning a deputy."""

from __future__ import annotations

import pytest

from .conftest import shot
from .test_demo import sign_in

pytestmark = pytest.mark.browser


def test_grid_counts_and_assigning_a_deputy(page, demo_server):
    sign_in(page, demo_server, "yz_staff")
    page.wait_for_url(demo_server + "/t/yinzhuang/")
    page.click("[data-testid=nav-grids]")
    total = page.inner_text("[data-testid=community-counts] tr.fw-bold")
    assert total.split() == ["合计", "679", "819", "11", "218"]
    assert "共 690 个网格" in page.inner_text("main")
    shot(page, "grids")
    page.select_option("#community", "涧东村")
    page.select_option("#kind", "residential")
    page.click("main form button[type=submit]")
    page.click("[data-testid=grids] >> text=第2网格")
    page.select_option("#f-deputy_id", label=page.locator("#f-deputy_id option").nth(1).inner_text())
    chosen = page.locator("#f-deputy_id option").nth(1).inner_text().split("（")[0]
    page.click("text=分配")
    assert chosen in page.inner_text("[data-testid=grid-deputies]")
    page.fill("#f-name", "新网格长 王丽")
    page.fill("#f-phone", "13600009999")
    page.click("main form:has(#f-phone) button")
    assert "新网格长 王丽" in page.inner_text("[data-testid=grid-heads]")
    shot(page, "grid-detail")
