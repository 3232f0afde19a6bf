"""一人一档: the file assembles itself from every registered section, by year."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from webapp.access import bound_to
from webapp.deputies import file as deputy_file
from webapp.deputies.models import DeputyLevel
from webapp.deputies.services import create_deputy, update_deputy
from webapp.extensions import db
from webapp.grids.models import GridKind
from webapp.grids.services import assign_deputy, create_grid


@pytest.fixture()
def a_later_area():
    """What a later area (activities, opinions ...) does: register one section."""

    @deputy_file.file_section("test_inspections", "视察（测试）", order=10)
    def inspections(deputy_id, start, end):
        days = [date(2023, 5, 10), date(2024, 4, 2), date(2024, 9, 18), date(2019, 1, 1)]
        return [deputy_file.FileEntry(d, f"视察民生项目 {d:%m-%d}", link=f"/x/{d:%Y%m%d}") for d in days]

    yield
    deputy_file.SECTIONS.pop("test_inspections")


def test_the_file_counts_each_sections_records_by_year(app, world, client_as, a_later_area):
    with app.app_context(), bound_to(world.town_a):
        deputy = create_deputy(actor=None, data={"name": "档案甲", "level": DeputyLevel.town,
                                                 "term_start": date(2022, 1, 1), "term_end": date(2026, 12, 31)})
        grid = create_grid(actor=None, data={"kind": GridKind.residential, "community": "档案村", "name": "第1网格"})
        db.session.flush()
        update_deputy(deputy, actor=None, data={"phone": "13900000123"})
        assign_deputy(grid, deputy, actor=None)
        deputy_id = deputy.id
    client = client_as("a_deputy")
    page = client.get(f"/t/zhuyang/deputies/{deputy_id}/file").get_data(as_text=True)
    this_year = date.today().year
    assert f"<th><a href=\"/t/zhuyang/deputies/{deputy_id}/file?year=2022\">2022</a></th>" in page
    assert "2019" not in page  # before the term: outside the file
    assert "视察民生项目 09-18" in page and "档案村 第1网格" in page and "phone" in page
    with app.app_context(), bound_to(world.town_a):
        assembled = deputy_file.assemble(db.session.get(deputy_file_model(), deputy_id), list(range(2022, this_year + 1)))
        assert assembled.count(2024, "test_inspections") == 2 and assembled.count(2023, "test_inspections") == 1
        assert assembled.count(this_year, "record") == 2 and assembled.count(this_year, "grids") == 1
    one_year = client.get(f"/t/zhuyang/deputies/{deputy_id}/file", query_string={"year": 2024}).get_data(as_text=True)
    assert 'data-testid="file-year-2024"' in one_year and 'data-testid="file-year-2023"' not in one_year

    book = load_workbook(io.BytesIO(client.get(f"/t/zhuyang/deputies/{deputy_id}/file.xlsx").data))
    summary = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert summary[0][0] == "档案甲"
    header = next(r for r in summary if r and r[0] == "栏目")
    row = dict(zip(header[1:], next(r for r in summary if r[0] == "视察（测试）")[1:]))
    assert (row["2022"], row["2023"], row["2024"]) == (0, 1, 2)
    records = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert sum(1 for r in records if r[1] == "视察（测试）") == 3


def deputy_file_model():
    from webapp.deputies.models import Deputy

    return Deputy
