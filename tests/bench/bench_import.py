"""Importing a 1,000-row roster workbook (validate every row, then write all), against the
bare INSERT of the same rows, in the same run. The issue's goal: under 5 s.

    .venv/bin/python tests/bench/bench_import.py [--rows 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import io
import time

from _common import median, setup


def workbook(rows: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["编号", "姓名", "层级", "性别", "民族", "出生年份", "政治面貌", "职业", "界别", "联系电话", "公开电话",
                  "选区", "任期开始", "任期结束", "状态"])
    surnames, given = "王李张刘陈杨赵黄周吴", ["建国", "秀兰", "志刚", "丽娟", "海燕", "国强", "春生", "玉珍"]
    for i in range(rows):
        sheet.append([None, surnames[i % 10] + given[i % 8] + str(i), "镇级代表", "男" if i % 3 else "女", "汉族",
                      1960 + i % 35, "中共党员", "苹果种植户", "农业", f"139{i:08d}", "否", f"第{i % 18}村",
                      "2021-12-01", "2026-11-30", "在任"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    stack, app, ctx, db, regions = setup("liaison_bench_import")
    try:
        import tenants
        from sqlalchemy import insert, text

        from webapp.access import bound_to
        from webapp.deputies.models import Deputy
        from webapp.deputies.roster_io import import_roster

        content = workbook(args.rows)
        imports, bares = [], []
        for r in range(args.rounds):
            town_id = tenants.provision(f"导入{r}镇", regions["411282"], "minimal", slug=f"imp{r}")
            with bound_to(town_id):
                started = time.perf_counter()
                result = import_roster(content, actor=None)
                db.session.commit()
                imports.append(time.perf_counter() - started)
                assert result.ok and result.created == args.rows, result.errors[:3]
                rows = [{"name": f"x{i}", "name_pinyin": f"x{i}", "level": "town", "status": "serving",
                         "phone_public": False} for i in range(args.rows)]
                started = time.perf_counter()
                db.session.execute(text("DELETE FROM deputies"))
                db.session.execute(insert(Deputy.__table__), rows)
                db.session.commit()
                bares.append(time.perf_counter() - started)
        i, b = median(imports), median(bares)
        print(f"{args.rows} rows, {args.rounds} rounds (goal: under 5 s)")
        print(f"import: {i * 1000:.0f} ms vs bare INSERT {b * 1000:.0f} ms = {i / b:.1f}x")
    finally:
        db.engine.dispose()
        ctx.pop()
        stack.stop()


if __name__ == "__main__":
    main()
