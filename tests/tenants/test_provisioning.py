"""Provisioning a town: everything in one transaction, bad input changes nothing."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, text
from sqlalchemy.exc import DataError

import tenants
from tenants import provisioning, slugs
from tenants.errors import DuplicateTown, InvalidRegion, InvalidSlug, TenantError, UnknownTemplate
from tenants.models import Region, Town
from tenants.schema import TOWN_VERSION_TABLE, head
from webapp.extensions import db


def _footprint() -> dict:
    """Everything provisioning touches, counted."""
    with db.engine.connect() as conn:
        return {
            "towns": conn.execute(text("SELECT count(*) FROM platform.towns")).scalar(),
            "regions": conn.execute(text("SELECT count(*) FROM platform.regions")).scalar(),
            "schemas": conn.execute(text("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'town\\_%'")).scalar(),
            "roles": conn.execute(text("SELECT count(*) FROM pg_roles WHERE rolname LIKE '%town\\_%'")).scalar(),
            "audit": conn.execute(text("SELECT count(*) FROM platform.platform_audit_entries")).scalar(),
        }


def test_slugs_from_chinese_names():
    assert slugs.from_name("尹庄镇") == "yinzhuang"
    assert slugs.from_name("城关镇") == "chengguan"
    assert slugs.from_name("函谷关镇") == "hanguguan"
    assert slugs.from_name("西城街道") == "xicheng"
    assert slugs.from_name("3号乡") == "t3hao"
    assert all(slugs.is_valid(slugs.from_name(n)) for n in ("尹庄镇", "豫灵镇", "Ａ镇", "长长长长长长长长长长长长长长长长长长长长长长镇"))


def test_provision_creates_schema_role_tables_stamp_and_seed(app_ctx, world):
    lingbao = db.session.get(Region, world.county)
    town_id = tenants.provision("阳平镇", lingbao, "yinzhuang", name_en="Yangping")
    town = db.session.get(Town, town_id)
    assert (town.slug, town.schema_name) == ("yangping", "town_yangping")
    assert town.region.parent_id == lingbao.id and town.region.path.startswith(lingbao.path)
    assert town.settings["reception_day"]["day"] == 5
    with db.engine.connect() as conn:
        owner = conn.execute(text("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = :s"),
                             {"s": town.schema_name}).scalar()
        assert owner == town.role_name
        tables = dict(conn.execute(text("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = :s"),
                                   {"s": town.schema_name}).all())
        assert set(tables) >= {"supervision_groups", "activity_types", "evaluation_templates",
                               "evaluation_indicators", "notifications", "town_audit_entries", TOWN_VERSION_TABLE}
        assert set(tables.values()) == {town.role_name}
        assert conn.execute(text(f"SELECT version_num FROM {town.schema_name}.{TOWN_VERSION_TABLE}")).scalar() == head("town")
        groups = conn.execute(text(f"SELECT name FROM {town.schema_name}.supervision_groups ORDER BY position")).scalars().all()
        assert groups == ["乡村振兴组", "城市建设组", "民生实事组", "工业发展组"]
        indicators = conn.execute(text(f"SELECT count(*) FROM {town.schema_name}.evaluation_indicators")).scalar()
        assert indicators == 11
        rolsuper, rolcanlogin = conn.execute(text("SELECT rolsuper, rolcanlogin FROM pg_roles WHERE rolname = :r"),
                                             {"r": town.role_name}).one()
        assert not rolsuper and not rolcanlogin


def test_duplicate_town_in_the_same_county_is_refused_and_changes_nothing(app_ctx, world):
    lingbao = db.session.get(Region, world.county)
    before = _footprint()
    with pytest.raises(DuplicateTown) as err:
        tenants.provision("朱阳镇", lingbao, "yinzhuang")
    assert str(err.value.message) == "灵宝市已有名为朱阳镇的乡镇。"
    with force_locale("en"):
        assert str(err.value.message) == "A town named 朱阳镇 already exists in 灵宝市."
    assert err.value.field == "name"
    assert _footprint() == before


def test_same_name_in_another_county_gets_a_suffixed_slug(app_ctx, world):
    shaanzhou = db.session.get(Region, world.other_county)
    town = db.session.get(Town, tenants.provision("朱阳镇", shaanzhou, "minimal"))
    assert town.slug == "zhuyang_2" and town.schema_name == "town_zhuyang_2"


@pytest.mark.parametrize("slug", ["Bad-Slug", "1abc", "a", "x" * 41, "town;drop", "中文"])
def test_invalid_slug_is_refused_and_changes_nothing(app_ctx, world, slug):
    before = _footprint()
    with pytest.raises(InvalidSlug) as err:
        tenants.provision("灵宝新镇", world.county, "minimal", slug=slug)
    assert "小写字母" in str(err.value.message)
    assert _footprint() == before


def test_taken_slug_is_refused(app_ctx, world):
    with pytest.raises(InvalidSlug) as err:
        tenants.provision("别的镇", world.county, "minimal", slug="zhuyang")
    assert "zhuyang" in str(err.value.message)


@pytest.mark.parametrize("exc,kwargs", [
    (TenantError, {"name": "  "}),
    (InvalidRegion, {"region": "town"}),
    (UnknownTemplate, {"template": "nope"}),
])
def test_other_bad_input(app_ctx, world, exc, kwargs):
    region = world.county
    if kwargs.get("region") == "town":
        region = db.session.get(Town, world.town_a).region_id
    before = _footprint()
    with pytest.raises(exc):
        tenants.provision(kwargs.get("name", "错误输入镇"), region, kwargs.get("template", "minimal"))
    assert _footprint() == before


def test_a_failure_half_way_leaves_nothing_behind(app_ctx, world, monkeypatch):
    # the role, schema and tables exist and a seed row is written when the seed fails
    def failing_seed(key, version):
        return ("INSERT INTO supervision_groups (code, name, position, active, created_at) "
                "VALUES ('half', '半途', 0, true, now()); SELECT 1 / 0;")

    monkeypatch.setattr(provisioning, "seed_script", failing_seed)
    before = _footprint()
    with pytest.raises(DataError):
        tenants.provision("半途镇", world.county, "yinzhuang")
    assert _footprint() == before
    assert db.session.scalar(select(func.count()).select_from(Region).where(Region.name == "半途镇")) == 0


def test_a_leftover_role_or_schema_does_not_break_provisioning(app_ctx, world):
    from tenants.schema import role_prefix

    prefix = role_prefix(db.engine.url.database)
    with db.engine.begin() as conn:  # left behind by a database that was dropped and rebuilt
        conn.execute(text(f'CREATE ROLE "{prefix}town_liucun" NOLOGIN'))
        conn.execute(text("CREATE SCHEMA town_liucun_2"))
    try:
        town = db.session.get(Town, tenants.provision("柳村镇", world.county, "minimal"))
        assert town.slug == "liucun_3"
        with pytest.raises(InvalidSlug):
            tenants.provision("别的柳村镇", world.county, "minimal", slug="liucun")
    finally:
        with db.engine.begin() as conn:
            conn.execute(text(f'DROP ROLE "{prefix}town_liucun"'))
            conn.execute(text("DROP SCHEMA town_liucun_2"))
