"""Creating a town: schema + role + tables at head + version stamp + template seed, in one
transaction on one connection as the app's role. A failure leaves nothing behind."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from . import slugs
from . import templates as town_templates
from .binding import TownBinding, start_town_transaction
from .errors import DuplicateTown, InvalidRegion, InvalidSlug, TenantError
from .models import Region, RegionLevel, Town, TownStatus
from .schema import TOWN_VERSION_TABLE, _load_models, head, role_prefix, town_ddl


def _engine() -> Engine:
    from webapp.extensions import db

    return db.engine


def _quote(conn: Connection, ident: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(ident)


def create_schema(conn: Connection, binding: TownBinding) -> None:
    """The role, the schema it owns, every table at head and the version stamp."""
    q_role, q_schema = _quote(conn, binding.role), _quote(conn, binding.schema)
    conn.exec_driver_sql(
        f"CREATE ROLE {q_role} NOLOGIN; GRANT {q_role} TO CURRENT_USER; "
        f"CREATE SCHEMA {q_schema} AUTHORIZATION {q_role}"
    )
    start_town_transaction(conn, binding)
    conn.exec_driver_sql(town_ddl())
    conn.exec_driver_sql(f"INSERT INTO {TOWN_VERSION_TABLE} (version_num) VALUES (%(v)s)", {"v": head("town")})


def seed_from_template(conn: Connection, template: dict[str, Any]) -> None:
    """Insert the template's configuration rows. `conn` is inside the town (search_path, role)."""
    from webapp.activities.models import ActivityType
    from webapp.evaluations.models import EvaluationIndicator, EvaluationTemplate
    from webapp.projects.models import SupervisionGroup

    groups = template.get("supervision_groups", [])
    if groups:
        conn.execute(
            insert(SupervisionGroup.__table__),
            [
                {"code": g["code"], "name": g["name"], "name_en": g.get("name_en"), "position": i,
                 "description": g.get("description"), "active": True}
                for i, g in enumerate(groups)
            ],
        )
    types = template.get("activity_types", [])
    if types:
        conn.execute(
            insert(ActivityType.__table__),
            [
                {"code": t["code"], "name": t["name"], "name_en": t.get("name_en"), "cadence": t["cadence"],
                 "expected_per_period": t.get("expected", 1), "position": i, "active": True}
                for i, t in enumerate(types)
            ],
        )
    evaluation = template.get("evaluation")
    if evaluation:
        template_id = conn.execute(
            insert(EvaluationTemplate.__table__).returning(EvaluationTemplate.__table__.c.id),
            {"name": evaluation["name"], "version": 1, "grades": evaluation.get("grades", []),
             "outstanding_count": evaluation.get("outstanding_count", 10)},
        ).scalar_one()
        conn.execute(
            insert(EvaluationIndicator.__table__),
            [
                {"template_id": template_id, "category": i["category"], "code": i["code"], "name": i["name"],
                 "name_en": i.get("name_en"), "source": i["source"], "base_points": i.get("base", 0),
                 "points_per_extra": i.get("extra", 0), "cap": i.get("cap", 0), "weight": i.get("weight", 1),
                 "position": n}
                for n, i in enumerate(evaluation.get("indicators", []))
            ],
        )


def _validate_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise TenantError(_l("Enter the town's name."), field="name")
    if len(name) > 64:
        raise TenantError(_l("The town's name can be at most 64 characters."), field="name")
    return name


def _choose_slug(conn: Connection, name: str, slug: str | None) -> str:
    taken = lambda s: conn.execute(select(Town.id).where(Town.slug == s)).first() is not None  # noqa: E731
    if slug:
        slug = slug.strip()
        if not slugs.is_valid(slug):
            raise InvalidSlug(_l("The short name may use lower-case letters, digits and underscores, start with a letter, and be 2 to 40 characters long."), field="slug")
        if taken(slug):
            raise InvalidSlug(_l("The short name %(slug)s is already taken.", slug=slug), field="slug")
        return slug
    for candidate in slugs.candidates(name):
        if not taken(candidate):
            return candidate
    raise InvalidSlug(_l("The short name may use lower-case letters, digits and underscores, start with a letter, and be 2 to 40 characters long."), field="slug")


def provision(
    name: str,
    region: Region | int,
    template: str = "yinzhuang",
    *,
    slug: str | None = None,
    name_en: str | None = None,
    actor_id: int | None = None,
    engine: Engine | None = None,
) -> int:
    """Create a town under `region` (a county) from an onboarding template; returns its id.

    Everything (region row, town row, role, schema, tables, version stamp, seed, audit
    entry) is written in one transaction: a failure at any step leaves nothing behind.
    """
    _load_models()
    engine = engine or _engine()
    name = _validate_name(name)
    bundle = town_templates.load(template)
    region_id = region if isinstance(region, int) else region.id
    try:
        with engine.begin() as conn:
            county = conn.execute(select(Region).where(Region.id == region_id)).first()
            if county is None or county.level != RegionLevel.county:
                raise InvalidRegion(_l("Choose the county or county-level city the town belongs to."), field="region")
            duplicate = conn.execute(
                select(Region.id).where(Region.parent_id == county.id, Region.name == name)
            ).first()
            if duplicate:
                raise DuplicateTown(_l("A town named %(name)s already exists in %(county)s.", name=name, county=county.name), field="name")
            chosen = _choose_slug(conn, name, slug)
            schema = f"town_{chosen}"
            role = role_prefix(engine.url.database or "") + schema
            town_region_id = conn.execute(
                insert(Region.__table__).returning(Region.__table__.c.id),
                {"parent_id": county.id, "level": RegionLevel.town.name, "name": name, "name_en": name_en, "path": ""},
            ).scalar_one()
            conn.execute(
                update(Region.__table__).where(Region.__table__.c.id == town_region_id)
                .values(path=f"{county.path}{town_region_id}/")
            )
            town_id = conn.execute(
                insert(Town.__table__).returning(Town.__table__.c.id),
                {"slug": chosen, "name": name, "name_en": name_en, "region_id": town_region_id,
                 "schema_name": schema, "role_name": role, "status": TownStatus.active.name,
                 "locale": "zh_Hans_CN", "timezone": "Asia/Shanghai", "template": bundle["key"],
                 "template_version": bundle["version"], "settings": bundle.get("settings", {}),
                 "schema_revision": head("town")},
            ).scalar_one()
            binding = TownBinding(town_id, chosen, schema, role)
            create_schema(conn, binding)
            seed_from_template(conn, bundle)
            conn.exec_driver_sql("SELECT set_config('role', 'none', true), set_config('search_path', 'platform', true)")
            _audit(conn, "town.create", town_id, actor_id, {"template": bundle["key"], "slug": chosen})
    except IntegrityError as exc:
        # two signups racing for one name or slug: the loser gets the same message
        raise DuplicateTown(_l("A town with this name or short name already exists."), field="name") from exc
    return town_id


def _audit(conn: Connection, action: str, town_id: int | None, actor_id: int | None, details: dict) -> None:
    from webapp.audit.models import PlatformAuditEntry

    conn.execute(
        insert(PlatformAuditEntry.__table__),
        {"action": action, "town_id": town_id, "actor_id": actor_id, "target": None, "details": details},
    )


def drop_town_schema(engine: Engine, town: Town) -> None:
    """Remove a town's schema and role (tests and the spare pool only; archiving dumps first)."""
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {_quote(conn, town.schema_name)} CASCADE"))
        conn.execute(text(f"DROP ROLE IF EXISTS {_quote(conn, town.role_name)}"))
