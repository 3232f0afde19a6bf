"""The roster in a real browser: staff add a deputy and find them by pinyin, in Chinese and English."""

from __future__ import annotations

import pytest

from .conftest import image_width, shot
from .test_demo import sign_in

pytestmark = pytest.mark.browser


def test_staff_add_a_deputy_and_find_them(page, demo_server):
    sign_in(page, demo_server, "yz_staff")
    page.wait_for_url(demo_server + "/t/yinzhuang/")
    page.click("[data-testid=nav-deputies]")
    assert "共 89 人" in page.inner_text("main")  # 72 town, 14 county, 3 prefecture deputies
    assert "镇级代表" in page.inner_text("[data-testid=roster]")
    shot(page, "roster")
    page.click("text=新增代表")
    page.fill("#f-name", "司马晓梅")
    page.select_option("#f-level", "town")
    page.select_option("#f-gender", "female")
    page.fill("#f-birth_year", "1983")
    page.fill("#f-constituency", "涧东村")
    page.fill("#f-phone", "13912340000")
    page.check("#f-phone_public")
    page.fill("#f-term_start", "2021-12-01")
    page.fill("#f-term_end", "2026-11-30")
    shot(page, "deputy-form")
    page.click("main button[type=submit]")
    assert page.inner_text("[data-testid=deputy-name]") == "司马晓梅"
    assert "涧东村" in page.inner_text("[data-testid=deputy-details]")
    shot(page, "deputy-detail")
    page.click("text=← 代表名册")
    page.fill("#q", "smxm")
    page.click("[data-testid=filters] button")
    assert page.inner_text("[data-testid=roster]").count("\n") == 1  # the header and 司马晓梅
    assert "司马晓梅" in page.inner_text("[data-testid=roster]")


def test_a_bad_phone_is_explained_next_to_the_field(page, demo_server):
    sign_in(page, demo_server, "yz_staff")
    page.goto(demo_server + "/t/yinzhuang/deputies/new")
    page.fill("#f-name", "钱多多")
    page.fill("#f-phone", "12345")
    page.click("main button[type=submit]")
    assert "11位手机号" in page.inner_text("[data-testid=error-phone]")
    shot(page, "deputy-form-error")


def test_the_roster_in_english(page, demo_server):
    sign_in(page, demo_server, "yz_deputy")
    page.goto(demo_server + "/t/yinzhuang/deputies/?level=prefecture")
    page.click("[data-testid=lang-en]")
    assert "Name or pinyin" in page.inner_text("main")
    assert "Prefecture deputy" in page.inner_text("[data-testid=roster]")
    shot(page, "roster-english")
    page.click("[data-testid=lang-zh_Hans_CN]")


@pytest.mark.parametrize("language", ["zh_Hans_CN", "en"])
def test_import_a_roster_with_one_bad_row_and_read_the_report(page, demo_server, tmp_path, language):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["编号", "姓名", "层级", "性别", "出生年份", "联系电话", "选区"])
    sheet.append([None, "导入张三", "镇级代表", "男", 1975, "13900001111", "尹庄村"])
    sheet.append([None, "导入李四", "村级代表", "女", 1980, "1390000", "涧西村"])
    path = tmp_path / "名册.xlsx"
    book.save(path)

    sign_in(page, demo_server, "yz_staff")
    page.goto(demo_server + "/t/yinzhuang/deputies/import")
    if language == "en":
        page.click("[data-testid=lang-en]")
    page.set_input_files("[data-testid=file]", str(path))
    page.click("main form button[type=submit]")
    report = page.inner_text("[data-testid=import-report]")
    if language == "en":
        assert "Nothing was imported: 2 problems to fix" in report
        assert "Level" in report and "Phone" in report and "村级代表" in report
        page.click("[data-testid=lang-zh_Hans_CN]")
    else:
        assert "未导入任何数据：有 2 处问题需要修改" in report
        assert "层级" in report and "联系电话" in report and "村级代表" in report
    shot(page, f"import-report-{language}")
    page.goto(demo_server + "/t/yinzhuang/deputies/?q=导入张三")
    assert "导入张三" not in page.inner_text("[data-testid=roster]")  # all or nothing


def test_the_qr_card_and_the_page_its_code_opens_on_a_phone(page, browser, demo_server):
    sign_in(page, demo_server, "yz_staff")
    page.goto(demo_server + "/t/yinzhuang/deputies/?q=zgq")
    page.click("[data-testid=roster] >> text=赵国强")
    page.click("[data-testid=qr-card-link]")
    card = page.locator("[data-testid=qr-card]")
    assert "赵国强" in card.inner_text()
    assert image_width(page, "[data-testid=qr]") > 0  # the SVG loaded
    target = card.get_attribute("data-target")
    shot(page, "qr-card")
    # what a constituent's phone opens after scanning: no login, the deputy and how to reach the station
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    visitor = phone.new_page()
    visitor.goto(target)
    assert "赵国强" in visitor.inner_text("[data-testid=public-deputy]")
    assert "0398-8861234" in visitor.inner_text("[data-testid=reach]")
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 390
    shot(visitor, "public-deputy-phone")
    visitor.click("main a:has-text('尹庄镇人大代表联络站')")
    visitor.wait_for_url("**/p/yinzhuang/")
    assert "每月5日" in visitor.inner_text("[data-testid=reception]")
    assert "镇级代表" in visitor.inner_text("main")
    shot(visitor, "public-station-phone")
    visitor.click("[data-testid=lang-en]")
    assert "Our deputies" in visitor.inner_text("main")
    phone.close()


def test_staff_edit_the_station_profile(page, demo_server):
    sign_in(page, demo_server, "yz_admin")
    page.click("[data-testid=nav-station]")
    assert "0398-8861234" in page.inner_text("[data-testid=station-profile]")
    page.click("main >> text=编辑")
    page.fill("#f-opening_hours", "周一至周六 8:30–17:30")
    page.fill("#f-latitude", "北纬34度")
    page.click("main button[type=submit]")
    assert page.inner_text("[data-testid=error-latitude]")
    page.fill("#f-latitude", "34.5236")
    page.click("main button[type=submit]")
    assert "周一至周六" in page.inner_text("[data-testid=station-profile]")
    shot(page, "station-profile")


def test_open_a_deputys_file(page, demo_server):
    sign_in(page, demo_server, "yz_presidium")
    page.goto(demo_server + "/t/yinzhuang/deputies/?q=zhaoguoqiang")
    page.click("[data-testid=roster] >> text=赵国强")
    page.click("[data-testid=file-link]")
    assert "一人一档：赵国强" in page.inner_text("main")
    summary = page.inner_text("[data-testid=file-summary]")
    assert "网格工作" in summary and "2021" in summary
    assert "联系网格" in page.inner_text("main")
    shot(page, "deputy-file")
    with page.expect_download() as download:
        page.click("[data-testid=file-xlsx]")
    assert download.value.suggested_filename.endswith("-file.xlsx")


def test_upload_a_photo_and_see_the_studios(page, demo_server, tmp_path):
    import png

    rows = [[(200, 40 + y, 30) for _x in range(120) for _c in (0,)] for y in range(150)]
    path = tmp_path / "photo.png"
    with path.open("wb") as f:
        png.Writer(120, 150, greyscale=False).write(f, [[c for px in row for c in px] for row in rows])
    sign_in(page, demo_server, "yz_staff")
    page.goto(demo_server + "/t/yinzhuang/deputies/?q=zgq")
    page.click("[data-testid=roster] >> text=赵国强")
    page.set_input_files("[data-testid=photo-file]", str(path))
    page.click("text=上传照片")
    assert "照片已保存" in page.inner_text(".alert-success")
    assert image_width(page, "[data-testid=photo]") == 120
    shot(page, "deputy-with-photo")
    page.click("[data-testid=nav-station]")
    page.click("[data-testid=studios-link]")
    studios = page.inner_text("[data-testid=studios]")
    assert studios.count("头雁工作室") == 4 and "尹庄片区" in studios
    shot(page, "studios")


def test_add_a_deputy_and_open_their_file_in_english(page, demo_server):
    sign_in(page, demo_server, "yz_admin")
    page.goto(demo_server + "/t/yinzhuang/deputies/new")
    page.click("[data-testid=lang-en]")
    assert "Add a deputy" in page.inner_text("main")
    page.fill("#f-name", "欧阳兰")
    page.select_option("#f-level", "county")
    page.fill("#f-constituency", "尹庄社区")
    page.click("main button[type=submit]")
    assert "has been added to the roster" in page.inner_text(".alert-success")
    assert "County deputy" in page.inner_text("main")
    page.click("[data-testid=file-link]")
    assert "The deputy's file" in page.inner_text("main")
    assert "Changes to this record" in page.inner_text("[data-testid=file-summary]")
    shot(page, "deputy-file-english")
    page.click("[data-testid=lang-zh_Hans_CN]")
