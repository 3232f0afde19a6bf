"""Operators: the `liaison` commands and the operators' pages."""

from __future__ import annotations

from sqlalchemy import func, select

from tenants.models import Region, Town
from webapp.extensions import db

from ..conftest import unique


def _towns() -> int:
    return db.session.scalar(select(func.count()).select_from(Town))


def test_cli_creates_and_shows_a_town(app, world):
    runner = app.test_cli_runner()
    slug = unique("cli")
    result = runner.invoke(args=["towns", "create", "灵宝城关镇", "--county", "411282", "--template", "minimal",
                                 "--slug", slug])
    assert result.exit_code == 0, result.output
    assert f"/t/{slug}/" in result.output
    shown = runner.invoke(args=["towns", "show", slug])
    assert shown.exit_code == 0, shown.output
    assert "综合督导组" in shown.output and "每月第一个星期五" in shown.output
    listed = runner.invoke(args=["towns", "list"])
    assert slug in listed.output


def test_cli_refuses_bad_input_with_a_message(app, world):
    runner = app.test_cli_runner()
    with app.app_context():
        before = _towns()
    result = runner.invoke(args=["towns", "create", "朱阳镇", "--county", "灵宝市"])
    assert result.exit_code != 0 and "已有名为朱阳镇" in result.output
    result = runner.invoke(args=["towns", "create", "某镇", "--county", "999999"])
    assert result.exit_code != 0 and "999999" in result.output
    result = runner.invoke(args=["towns", "create", "某镇", "--county", "411282", "--slug", "Bad Slug"])
    assert result.exit_code != 0 and "小写字母" in result.output
    with app.app_context():
        assert _towns() == before


def test_cli_db_upgrade_and_status(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output
    status = runner.invoke(args=["db", "status"])
    assert "BEHIND" not in status.output and "zhuyang" in status.output


def test_two_upgrades_never_overlap(app, world):
    from tenants.migrate import migration_lock

    with app.app_context():
        with migration_lock(db.engine):
            result = app.test_cli_runner().invoke(args=["db", "upgrade", "--quiet"])
        assert result.exit_code != 0 and "another" in result.output
    assert app.test_cli_runner().invoke(args=["db", "upgrade", "--quiet"]).exit_code == 0


def test_operator_creates_a_town_in_the_web(app, world, client_as):
    client = client_as("operator")
    with app.app_context():
        county = db.session.scalar(select(Region.id).where(Region.code == "411282"))
        before = _towns()
    page = client.get("/admin/towns/new").get_data(as_text=True)
    assert "灵宝市" in page and "尹庄镇模式" in page
    response = client.post("/admin/towns/new", data={"name": "焦村镇", "region_id": county, "template": "yinzhuang"})
    assert response.status_code == 302
    assert "焦村镇" in client.get("/admin/").get_data(as_text=True)
    again = client.post("/admin/towns/new", data={"name": "焦村镇", "region_id": county, "template": "yinzhuang"})
    assert again.status_code == 400 and "已有名为焦村镇" in again.get_data(as_text=True)
    missing = client.post("/admin/towns/new", data={"name": "", "region_id": ""})
    assert missing.status_code == 400
    with app.app_context():
        assert _towns() == before + 1
