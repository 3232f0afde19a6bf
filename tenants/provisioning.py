"""Creating a town: schema + role + tables at head + version stamp + template seed, in one
transaction on one connection as the app's role. A failure leaves nothing behind.

Signup waits on this, so it is built to cost little more than the DDL itself: one query
validates, one statement writes the platform rows, and one script (cached per template)
creates the role, the schema, every table, the stamp and the seed (tests/bench/bench_provision.py).
"""

from __future__ import annotations

import contextlib
import functools
import json
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, insert, literal, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Engine
from psycopg import errors as pg_errors
from sqlalchemy.exc import IntegrityError, ProgrammingError

from . import slugs
from . import templates as town_templates
from .binding import TownBinding
from .errors import DuplicateTown, InvalidRegion, InvalidSlug, TenantError
from .models import Region, RegionLevel
from .schema import TOWN_VERSION_TABLE, _load_models, head, role_prefix, town_ddl


def _engine() -> Engine:
    from webapp.extensions import db

    return db.engine


def _quote(conn: Connection, ident: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(ident)


@functools.cache
def seed_script(template_key: str, template_version: int) -> str:
    """The template's configuration rows as SQL for an empty town schema (unqualified names).

    Values are rendered as literals by SQLAlchemy's PostgreSQL compiler, which escapes them.
    """
    from webapp.activities.models import ActivityType
    from webapp.evaluations.models import EvaluationIndicator, EvaluationTemplate
    from webapp.opinions.models import OpinionCategory, ResponsibleUnit
    from webapp.projects.models import SupervisionGroup

    template = town_templates.load(template_key, template_version)
    dialect = postgresql.psycopg.dialect()
    statements = []

    def add(statement) -> None:
        statements.append(str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True})))

    if groups := template.get("supervision_groups"):
        add(insert(SupervisionGroup.__table__).values([
            {"code": g["code"], "name": g["name"], "name_en": g.get("name_en"), "position": i,
             "description": g.get("description"), "active": True}
            for i, g in enumerate(groups)]))
    if types := template.get("activity_types"):
        add(insert(ActivityType.__table__).values([
            {"code": t["code"], "name": t["name"], "name_en": t.get("name_en"), "cadence": t["cadence"],
             "expected_per_period": t.get("expected", 1), "position": i, "active": True}
            for i, t in enumerate(types)]))
    if categories := template.get("opinion_categories"):
        add(insert(OpinionCategory.__table__).values([
            {"code": c["code"], "name": c["name"], "name_en": c.get("name_en"), "position": i, "active": True,
             "deadline_days": c.get("deadline_days", 15), "warning_days": c.get("warning_days", 3)}
            for i, c in enumerate(categories)]))
    if units := template.get("responsible_units"):
        add(insert(ResponsibleUnit.__table__).values([
            {"name": u["name"], "kind": u.get("kind", "department"), "active": True} for u in units]))
    if evaluation := template.get("evaluation"):
        table = EvaluationTemplate.__table__
        add(insert(table).values(
            name=evaluation["name"], version=1, outstanding_count=evaluation.get("outstanding_count", 10),
            max_total=evaluation.get("max_total", 100),
            grades=cast(literal(json.dumps(evaluation.get("grades", []), ensure_ascii=False), String), JSONB)))
        template_id = select(table.c.id).where(table.c.name == evaluation["name"], table.c.version == 1) \
            .scalar_subquery()
        if indicators := evaluation.get("indicators"):
            add(insert(EvaluationIndicator.__table__).values([
                {"template_id": template_id, "category": i["category"], "code": i["code"], "name": i["name"],
                 "name_en": i.get("name_en"), "source": i["source"], "base_points": i.get("base", 0),
                 "points_per_extra": i.get("extra", 0), "cap": i.get("cap", 0), "weight": i.get("weight", 1),
                 "position": n}
                for n, i in enumerate(indicators)]))
    return ";\n".join(statements) + (";" if statements else "")


def create_schema(conn: Connection, binding: TownBinding, template: dict[str, Any] | None = None) -> None:
    """The role, the schema it owns, every table at head, the version stamp and the seed,
    in one round trip. The DDL runs as the town's role so the role owns every object."""
    q_role, q_schema = _quote(conn, binding.role), _quote(conn, binding.schema)
    # identifiers are quoted; the revision is a constant of our own migration tree
    script = [
        f"CREATE ROLE {q_role} NOLOGIN",
        f"GRANT {q_role} TO CURRENT_USER",
        f"CREATE SCHEMA {q_schema} AUTHORIZATION {q_role}",
        f"SELECT set_config('search_path', '{binding.schema}', true), set_config('role', '{binding.role}', true)",
        town_ddl().rstrip(";"),
        f"INSERT INTO {TOWN_VERSION_TABLE} (version_num) VALUES ('{head('town')}')",
    ]
    if template is not None:
        seed = seed_script(template["key"], template["version"])
        if seed:
            script.append(seed.rstrip(";"))
    script.append("SELECT set_config('role', 'none', true), set_config('search_path', 'platform', true)")
    conn.exec_driver_sql(";\n".join(script))


# The oldest spare at head, taken out of the pool; a concurrent signup skips it (SKIP LOCKED)
# and takes the next, and a rollback puts it back.
_CLAIM = text("""
DELETE FROM platform.spare_schemas WHERE id = (
    SELECT id FROM platform.spare_schemas WHERE revision = :revision ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1)
RETURNING schema_name, role_name
""")


@functools.lru_cache(maxsize=256)
def _checked(key: str, version: int) -> None:
    """Validate a template version once per process (a version never changes)."""
    town_templates.check(town_templates.load(key, version))


def claim_spare(conn: Connection):
    """A spare schema at head (its row deleted in this transaction), or None."""
    return conn.execute(_CLAIM, {"revision": head("town")}).first()


def rename_spare(conn: Connection, spare, binding: TownBinding, template: dict[str, Any]) -> None:
    """Make a claimed spare the town's: rename its schema and role, then seed the template,
    in one round trip."""
    script = [
        f"ALTER SCHEMA {_quote(conn, spare.schema_name)} RENAME TO {_quote(conn, binding.schema)}",
        f"ALTER ROLE {_quote(conn, spare.role_name)} RENAME TO {_quote(conn, binding.role)}",
    ]
    seed = seed_script(template["key"], template["version"])
    if seed:
        script += [f"SELECT set_config('search_path', '{binding.schema}', true), "
                   f"set_config('role', '{binding.role}', true)", seed.rstrip(";"),
                   "SELECT set_config('role', 'none', true), set_config('search_path', 'platform', true)"]
    conn.exec_driver_sql(";\n".join(script))


def _validate_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise TenantError(_l("Enter the town's name."), field="name")
    if len(name) > 64:
        raise TenantError(_l("The town's name can be at most 64 characters."), field="name")
    return name


# One query answers everything provisioning must know before writing: the county, whether
# the name is taken there, and which slugs near the wanted one are taken, by a town row, or
# by a schema or role left behind (roles are cluster-wide and outlive a dropped database).
_CHECK = text("""
SELECT r.id, r.level, r.name, r.path,
       EXISTS (SELECT 1 FROM platform.regions t WHERE t.parent_id = r.id AND t.name = :name) AS duplicate,
       ARRAY(SELECT slug FROM platform.towns WHERE slug = :slug OR slug LIKE :slug_like
             UNION SELECT substr(nspname, 6) FROM pg_namespace
                   WHERE nspname = 'town_' || :slug OR nspname LIKE :schema_like
             UNION SELECT substr(rolname, :role_cut) FROM pg_roles
                   WHERE rolname = :role_prefix || 'town_' || :slug OR rolname LIKE :role_like) AS taken
FROM platform.regions r WHERE r.id = :region_id
""")

_DUPLICATE_CONSTRAINTS = {"uq_towns_slug", "uq_towns_schema_name", "uq_towns_role_name", "uq_regions_parent_id_name"}


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%")


# The town's region row (its path needs its own id) and the town row, in one statement.
_INSERT = text("""
WITH new_region AS (
    SELECT nextval(pg_get_serial_sequence('platform.regions', 'id')) AS id
), region AS (
    INSERT INTO platform.regions (id, parent_id, level, name, name_en, path)
    SELECT id, :county_id, 'town', :name, :name_en, :county_path || id || '/' FROM new_region
    RETURNING id
), town AS (
    INSERT INTO platform.towns (slug, name, name_en, region_id, schema_name, role_name, status, locale, timezone,
                                template, template_version, settings, schema_revision)
    SELECT :slug, :name, :name_en, region.id, :schema, :role, 'active', 'zh_Hans_CN', 'Asia/Shanghai',
           :template, :template_version, CAST(:settings AS jsonb), :revision FROM region
    RETURNING id
)
INSERT INTO platform.platform_audit_entries (action, town_id, actor_id, details)
SELECT 'town.create', town.id, :actor_id, CAST(:details AS jsonb) FROM town
RETURNING town_id
""")


def _choose_slug(name: str, slug: str | None, taken: set[str]) -> str:
    if slug:
        if not slugs.is_valid(slug):
            raise InvalidSlug(_l("The short name may use lower-case letters, digits and underscores, start with "
                                 "a letter, and be 2 to 40 characters long."), field="slug")
        if slug in taken:
            raise InvalidSlug(_l("The short name %(slug)s is already taken.", slug=slug), field="slug")
        return slug
    return next(candidate for candidate in slugs.candidates(name) if candidate not in taken)


def provision(
    name: str,
    region: Region | int,
    template: str = "yinzhuang",
    *,
    slug: str | None = None,
    name_en: str | None = None,
    actor_id: int | None = None,
    engine: Engine | None = None,
    conn: Connection | None = None,
    template_version: int | None = None,
    use_pool: bool = True,
) -> int:
    """Create a town under `region` (a county) from an onboarding template; returns its id.

    Everything (region row, town row, role, schema, tables, version stamp, seed, audit
    entry) is written in one transaction: a failure at any step leaves nothing behind. With
    `conn`, that is the caller's transaction (signup adds the first admin in the same one).
    A spare schema from the pool (tenants/pool.py) is claimed and renamed when there is one
    at head; otherwise the schema is made here.
    """
    _load_models()
    engine = engine or (conn.engine if conn is not None else _engine())
    name = _validate_name(name)
    slug = slug.strip() if slug else None
    bundle = town_templates.load(template, template_version)
    _checked(bundle["key"], bundle["version"])
    region_id = region if isinstance(region, int) else region.id
    wanted = slug or slugs.from_name(name)
    prefix = role_prefix(engine.url.database or "")
    try:
        with (contextlib.nullcontext(conn) if conn is not None else engine.begin()) as conn:
            county = conn.execute(_CHECK, {
                "region_id": region_id, "name": name, "slug": wanted, "slug_like": _like(wanted) + "\\_%",
                "schema_like": "town\\_" + _like(wanted) + "\\_%", "role_prefix": prefix,
                "role_cut": len(prefix) + 6, "role_like": _like(prefix) + "town\\_" + _like(wanted) + "\\_%",
            }).first()
            if county is None or county.level != RegionLevel.county.value:
                raise InvalidRegion(_l("Choose the county or county-level city the town belongs to."),
                                    field="region")
            if county.duplicate:
                raise DuplicateTown(_l("A town named %(name)s already exists in %(county)s.",
                                       name=name, county=county.name), field="name")
            chosen = _choose_slug(name, slug, set(county.taken))
            schema = f"town_{chosen}"
            role = prefix + schema
            town_id = conn.execute(_INSERT, {
                "county_id": county.id, "county_path": county.path, "name": name, "name_en": name_en,
                "slug": chosen, "schema": schema, "role": role, "template": bundle["key"],
                "template_version": bundle["version"], "settings": json.dumps(bundle.get("settings", {})),
                "revision": head("town"), "actor_id": actor_id,
                "details": json.dumps({"template": bundle["key"], "slug": chosen}),
            }).scalar_one()
            binding = TownBinding(town_id, chosen, schema, role)
            spare = claim_spare(conn) if use_pool else None
            if spare is not None:
                rename_spare(conn, spare, binding, bundle)
            else:
                create_schema(conn, binding, bundle)
    except IntegrityError as exc:
        # two signups racing for one name or slug: the loser gets a clear message
        if getattr(getattr(exc.orig, "diag", None), "constraint_name", None) in _DUPLICATE_CONSTRAINTS:
            raise DuplicateTown(_l("A town with this name or short name already exists."), field="name") from exc
        raise
    except ProgrammingError as exc:
        # a role or schema of that name appeared between the check and the write
        if isinstance(exc.orig, (pg_errors.DuplicateObject, pg_errors.DuplicateSchema)):
            raise InvalidSlug(_l("The short name %(slug)s is already taken.", slug=wanted), field="slug") from exc
        raise
    return town_id
