"""Two Alembic trees; every town upgraded in its own transaction, resumably; a town created
at head and a town migrated through the whole history end identical."""

from __future__ import annotations

import re

from sqlalchemy import text

import tenants
from tenants.binding import TownBinding
from tenants.migrate import downgrade_town, upgrade_platform, upgrade_towns
from tenants.models import Town
from tenants.schema import TOWN_VERSION_TABLE, head, script_directory
from webapp.extensions import db

from ..conftest import unique


def fingerprint(schema: str, role: str) -> dict:
    """A town schema's shape, with its own name and role written as placeholders."""

    def norm(value):
        if value is None:
            return None
        return re.sub(rf"\b{re.escape(role)}\b", "<role>", re.sub(rf"\b{re.escape(schema)}\.", "<schema>.", str(value)))

    with db.engine.connect() as conn:
        params = {"s": schema}
        columns = conn.execute(text(
            "SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision, numeric_scale,"
            " is_nullable, column_default FROM information_schema.columns WHERE table_schema = :s"), params).all()
        constraints = conn.execute(text(
            "SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)"
            " FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = :s"), params).all()
        indexes = conn.execute(text("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = :s"),
                               params).all()
        owners = conn.execute(text("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = :s"), params).all()
        sequences = conn.execute(text("SELECT sequencename, sequenceowner FROM pg_sequences WHERE schemaname = :s"),
                                 params).all()
    return {
        "columns": sorted(tuple(norm(v) for v in row) for row in columns),
        "constraints": sorted(tuple(norm(v) for v in row) for row in constraints),
        "indexes": sorted(tuple(norm(v) for v in row) for row in indexes),
        "owners": sorted(tuple(norm(v) for v in row) for row in owners),
        "sequences": sorted(tuple(norm(v) for v in row) for row in sequences),
    }


def _town(town_id: int) -> Town:
    return db.session.get(Town, town_id)


def _revision(town: Town) -> str | None:
    with db.engine.connect() as conn:
        return conn.execute(text(f"SELECT version_num FROM {town.schema_name}.{TOWN_VERSION_TABLE}")).scalar()


def _new_town(name: str, county: int) -> Town:
    return _town(tenants.provision(name, county, "minimal", slug=unique("mig")))


def test_the_town_tree_has_history(app_ctx):
    revisions = list(script_directory("town").walk_revisions())
    assert len(revisions) >= 2, "the drift test below needs at least two revisions to mean something"


def test_a_town_created_at_head_equals_one_migrated_from_the_first_revision(app_ctx, world):
    at_head = _new_town("头部镇", world.county)
    migrated = _new_town("迁移镇", world.county)
    binding = TownBinding.of(migrated)
    with db.engine.begin() as conn:
        downgrade_town(conn, binding, "base")
    with db.engine.connect() as conn:
        left = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :s"),
                            {"s": migrated.schema_name}).scalars().all()
    assert left == [TOWN_VERSION_TABLE]  # nothing but the (empty) version table
    assert _revision(migrated) is None

    results = upgrade_towns(db.engine, only=[migrated.slug])
    assert [(r.slug, r.before, r.after, r.error) for r in results] == [(migrated.slug, None, head("town"), None)]
    assert _revision(migrated) == head("town")
    assert fingerprint(migrated.schema_name, migrated.role_name) == fingerprint(at_head.schema_name, at_head.role_name)


def test_upgrade_reports_per_town_records_failures_and_resumes(app_ctx, world):
    broken, fine = _new_town("故障镇", world.county), _new_town("正常镇", world.county)
    for town in (broken, fine):
        with db.engine.begin() as conn:
            downgrade_town(conn, TownBinding.of(town), "t0001")
    # sabotage: a table in the way of the next revision
    with db.engine.begin() as conn:
        conn.execute(text(f"SET LOCAL ROLE {broken.role_name}"))
        conn.execute(text(f"CREATE TABLE {broken.schema_name}.town_audit_entries (id int)"))

    results = {r.slug: r for r in upgrade_towns(db.engine, only=[broken.slug, fine.slug], workers=2)}
    # the canary (lowest id) failed: nothing else was touched
    assert results[broken.slug].error and "town_audit_entries" in results[broken.slug].error
    assert fine.slug not in results
    assert _revision(fine) == "t0001"
    db.session.expire_all()
    assert _town(broken.id).migration_error

    # with a healthy canary, a failing town is reported and the others go on
    results = {r.slug: r for r in upgrade_towns(db.engine, only=[fine.slug, broken.slug], workers=1)}
    assert results[broken.slug].error  # canary is still `broken` (lowest id): nothing else
    results = {r.slug: r for r in upgrade_towns(db.engine, only=[fine.slug])}
    assert results[fine.slug].error is None and _revision(fine) == head("town")

    # repair and re-run: resumes where it stood; towns already at head are no-ops
    with db.engine.begin() as conn:
        conn.execute(text(f"DROP TABLE {broken.schema_name}.town_audit_entries"))
    results = {r.slug: r for r in upgrade_towns(db.engine, only=[broken.slug, fine.slug])}
    assert results[broken.slug].before == "t0001" and results[broken.slug].after == head("town")
    assert results[fine.slug].before == results[fine.slug].after == head("town")
    db.session.expire_all()
    assert _town(broken.id).migration_error is None and _town(broken.id).schema_revision == head("town")


def test_a_failing_town_after_the_canary_does_not_stop_the_others(app_ctx, world):
    good, bad, other = (_new_town(n, world.county) for n in ("先锋镇", "坏镇", "后续镇"))
    for town in (good, bad, other):
        with db.engine.begin() as conn:
            downgrade_town(conn, TownBinding.of(town), "t0001")
    with db.engine.begin() as conn:
        conn.execute(text(f"SET LOCAL ROLE {bad.role_name}"))
        conn.execute(text(f"CREATE TABLE {bad.schema_name}.town_audit_entries (id int)"))
    results = {r.slug: r for r in upgrade_towns(db.engine, only=[good.slug, bad.slug, other.slug], workers=1)}
    assert results[good.slug].error is None and results[other.slug].error is None
    assert results[bad.slug].error
    assert _revision(other) == head("town") and _revision(bad) == "t0001"
    # repaired, so the other tests' `liaison db upgrade` finds every town healthy
    with db.engine.begin() as conn:
        conn.execute(text(f"DROP TABLE {bad.schema_name}.town_audit_entries"))
    assert upgrade_towns(db.engine, only=[bad.slug])[0].error is None


def test_platform_upgrade_is_idempotent(app_ctx):
    assert upgrade_platform(db.engine) == (head("platform"), head("platform"))


def test_parallel_workers_upgrade_many_towns(app_ctx, world):
    towns = [_new_town(f"并行{i}镇", world.county) for i in range(4)]
    for town in towns:
        with db.engine.begin() as conn:
            downgrade_town(conn, TownBinding.of(town), "t0001")
    results = upgrade_towns(db.engine, only=[t.slug for t in towns], workers=2, chunk=1)
    assert sorted(r.slug for r in results) == sorted(t.slug for t in towns)
    assert all(r.error is None and r.after == head("town") for r in results)
    assert all(_revision(t) == head("town") for t in towns)


def test_a_stale_platform_record_falls_back_to_the_towns_own_stamp(app_ctx, world):
    town = _new_town("记录过期镇", world.county)
    with db.engine.begin() as conn:
        downgrade_town(conn, TownBinding.of(town), "base")
        # the platform row claims t0001, the schema is really empty
        conn.execute(text("UPDATE platform.towns SET schema_revision = 't0001' WHERE id = :id"), {"id": town.id})
    [result] = upgrade_towns(db.engine, only=[town.slug])
    assert result.error is None and (result.before, result.after) == (None, head("town"))
    assert _revision(town) == head("town")


def test_the_one_round_trip_path_is_taken_when_the_record_is_right(app_ctx, world, monkeypatch):
    from tenants import migrate

    town = _new_town("快速镇", world.county)
    with db.engine.begin() as conn:
        downgrade_town(conn, TownBinding.of(town), "t0001")
    online = []
    monkeypatch.setattr(migrate, "_enter", lambda *a: online.append(a) or "t0001")
    [result] = upgrade_towns(db.engine, only=[town.slug])
    assert result.error is None and result.after == head("town") and online == []
    assert _revision(town) == head("town")


def test_the_platform_migrations_create_what_the_models_say(app_ctx):
    """Every platform table, column, index and constraint of the models is what the platform
    migrations made (Alembic's own comparison against the migrated test database)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from tenants.base import PlatformModel

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "include_schemas": True, "compare_type": True,
            "include_name": lambda name, type_, parents: name == "platform" if type_ == "schema" else True})
        diffs = [d for d in compare_metadata(context, PlatformModel.metadata)
                 if "alembic_version" not in repr(d)]
    assert diffs == []
