"""In a real browser: sign in to the demo as each role and see the right place, in Chinese;
a station admin adds a member; the language switch; a committee reads a town read-only."""

from __future__ import annotations

import pytest

from webapp.demo import PASSWORD

from .conftest import shot

pytestmark = pytest.mark.browser

ROLES = [
    # (username, where they land, text that must be on the page)
    ("operator", "/admin/", "尹庄镇"),
    ("yz_admin", "/t/yinzhuang/", "尹庄镇人大代表联络站"),
    ("yz_staff", "/t/yinzhuang/", "乡村振兴组"),
    ("yz_deputy", "/t/yinzhuang/", "每月5日"),
    ("yz_presidium", "/t/yinzhuang/", "欢迎加入尹庄镇"),
    ("hg_admin", "/t/hanguguan/", "函谷关镇人大代表联络站"),
    ("lb_committee", "/c/lingbao/", "豫灵镇"),
]


def sign_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(base + "/login")
    page.fill("#f-identifier", username)
    page.fill("#f-password", password)
    page.click("main button[type=submit]")


@pytest.mark.parametrize("username,landing,text", ROLES)
def test_each_demo_role_signs_in(page, demo_server, username, landing, text):
    sign_in(page, demo_server, username)
    page.wait_for_url(demo_server + landing)
    assert text in page.inner_text("main")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    shot(page, f"role-{username}")
    page.click("text=退出")
    page.wait_for_url(demo_server + "/login")


def test_a_wrong_password_says_so_in_chinese(page, demo_server):
    sign_in(page, demo_server, "yz_staff", "not-the-password")
    assert "用户名、手机号码或密码错误" in page.inner_text("[data-testid=form-error]")
    shot(page, "login-wrong-password")


def test_committee_reads_a_town_and_cannot_see_outside_its_jurisdiction(page, demo_server):
    sign_in(page, demo_server, "lb_committee")
    page.wait_for_url(demo_server + "/c/lingbao/")
    towns = page.inner_text("[data-testid=committee-towns]")
    assert "尹庄镇" in towns and "大营镇" not in towns  # 大营镇 is in Shaanzhou
    page.click("text=尹庄镇")
    page.wait_for_url(demo_server + "/t/yinzhuang/")
    assert "只读" in page.inner_text("[data-testid=read-only]")
    shot(page, "committee-reads-town")
    response = page.goto(demo_server + "/t/daying/")
    assert response.status == 404


def test_station_admin_adds_a_staff_member_in_the_browser(page, demo_server):
    sign_in(page, demo_server, "yz_admin")
    page.wait_for_url(demo_server + "/t/yinzhuang/")
    page.click("text=管理成员")
    page.fill("#f-display_name", "尹庄镇工作人员 周婷")
    page.fill("#f-username", "yz_zhouting")
    page.fill("#f-phone", "13800000099")
    page.select_option("#f-role", "staff")
    page.fill("#f-password", "zhouting-2026")
    page.click("form >> text=添加")
    assert "周婷" in page.inner_text("[data-testid=members]")
    assert "yz_zhouting" in page.inner_text(".alert-success")
    shot(page, "members-added")
    # the same again is refused with a message next to the field, and nothing doubles
    page.fill("#f-display_name", "尹庄镇工作人员 周婷")
    page.fill("#f-username", "yz_zhouting")
    page.fill("#f-phone", "13800000099")
    page.select_option("#f-role", "staff")
    page.click("form >> text=添加")
    assert "已拥有该角色" in page.inner_text("main")
    assert page.inner_text("[data-testid=members]").count("yz_zhouting") == 1


def test_language_switch_to_english_and_back(page, demo_server):
    sign_in(page, demo_server, "yz_deputy")
    page.wait_for_url(demo_server + "/t/yinzhuang/")
    page.click("[data-testid=lang-en]")
    assert "Reception day" in page.inner_text("main")
    assert "Day 5 of every month" in page.inner_text("[data-testid=reception]")
    shot(page, "town-home-english")
    page.click("[data-testid=lang-zh_Hans_CN]")
    assert "接待日" in page.inner_text("main")


def test_the_phone_layout(browser, demo_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    sign_in(page, demo_server, "yz_deputy")
    page.wait_for_url(demo_server + "/t/yinzhuang/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no sideways scrolling on a phone"
    shot(page, "town-home-phone")
    context.close()


def test_operator_creates_a_town_and_a_duplicate_is_refused(page, demo_server):
    sign_in(page, demo_server, "operator")
    page.wait_for_url(demo_server + "/admin/")
    page.click("text=新建乡镇")
    page.fill("#f-name", "川口乡")
    page.fill("#f-name_en", "Chuankou")
    page.select_option("#f-region_id", label="灵宝市")
    page.select_option("#f-template", "minimal")
    shot(page, "admin-new-town")
    page.click("form >> text=创建")
    page.wait_for_url(demo_server + "/admin/")
    assert "川口乡" in page.inner_text("[data-testid=admin-towns]")
    assert "/t/chuankou/" in page.inner_text(".alert-success")
    page.click("text=新建乡镇")
    page.fill("#f-name", "川口乡")
    page.select_option("#f-region_id", label="灵宝市")
    page.click("form >> text=创建")
    assert "灵宝市已有名为川口乡的乡镇" in page.inner_text("main")
    shot(page, "admin-duplicate-town")


def test_password_change_and_api_token(page, demo_server):
    sign_in(page, demo_server, "hg_admin")
    page.wait_for_url(demo_server + "/t/hanguguan/")
    page.click("text=函谷关镇人大主席 陈伟")
    page.fill("#f-current_password", "wrong-one-1")
    page.fill("#f-new_password", "hanguguan-2027")
    page.fill("#f-confirm_password", "hanguguan-2027")
    page.click("form >> button:has-text('修改密码')")
    assert "当前密码不正确" in page.inner_text("main")
    page.fill("#f-current_password", PASSWORD)
    page.fill("#f-new_password", "hanguguan-2027")
    page.fill("#f-confirm_password", "hanguguan-2027")
    page.click("form >> button:has-text('修改密码')")
    assert "密码已修改" in page.inner_text(".alert-success") or "已修改" in page.inner_text("main")
    page.goto(demo_server + "/account/tokens")
    page.fill("#f-name", "12345热线对接")
    page.click("text=创建令牌")
    token = page.inner_text("[data-testid=new-token] code")
    assert token.startswith("lz_")
    shot(page, "api-token")
    page.click("text=退出")
    sign_in(page, demo_server, "hg_admin", "hanguguan-2027")
    page.wait_for_url(demo_server + "/t/hanguguan/")
