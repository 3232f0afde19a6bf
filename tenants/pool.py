"""The pool of spare town schemas: made ahead of time (role, schema, every table at head, no
data) so that a signup only claims one and renames it (tenants.provisioning.claim_spare).

`refill` tops the pool up to its target and drops spares left at an older revision (after
a migration, spares are not upgraded: fresh ones are cheaper). A job runs it after each
signup and every few minutes (jobs/onboarding.py)."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from .binding import TownBinding
from .models import SpareSchema
from .schema import _load_models, head, role_prefix


def _engine() -> Engine:
    from webapp.extensions import db

    return db.engine


def spare_count(engine: Engine | None = None) -> int:
    engine = engine or _engine()
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(SpareSchema)
                            .where(SpareSchema.revision == head("town"))).scalar_one()


def make_spare(engine: Engine | None = None) -> str:
    """One spare schema, made and registered in one transaction. Returns its schema name."""
    from .provisioning import create_schema

    _load_models()
    engine = engine or _engine()
    schema = f"spare_{secrets.token_hex(6)}"
    role = role_prefix(engine.url.database or "") + schema
    with engine.begin() as conn:
        create_schema(conn, TownBinding(0, schema, schema, role))
        conn.execute(SpareSchema.__table__.insert().values(schema_name=schema, role_name=role,
                                                           revision=head("town")))
    return schema


def drop_stale(engine: Engine | None = None) -> int:
    """Drop spares at another revision than head (they hold no data). Returns how many."""
    from .provisioning import _quote

    engine = engine or _engine()
    dropped = 0
    with engine.begin() as conn:
        stale = conn.execute(select(SpareSchema.id, SpareSchema.schema_name, SpareSchema.role_name)
                             .where(SpareSchema.revision != head("town")).with_for_update(skip_locked=True)).all()
        for spare in stale:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {_quote(conn, spare.schema_name)} CASCADE")
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {_quote(conn, spare.role_name)}")
            conn.execute(SpareSchema.__table__.delete().where(SpareSchema.id == spare.id))
            dropped += 1
    return dropped


def refill(target: int, engine: Engine | None = None, progress=None) -> int:
    """Top the pool up to `target` spares at head. Returns how many were made."""
    engine = engine or _engine()
    drop_stale(engine)
    missing = max(0, target - spare_count(engine))
    for n in range(missing):
        make_spare(engine)
        if progress:
            progress(n + 1, missing)
    return missing


def refill_once(target: int, engine: Engine | None = None, progress=None) -> int | None:
    """`refill` under an advisory lock, so two refills never race to overfill the pool.
    None when another refill holds the lock."""
    engine = engine or _engine()
    with engine.connect() as conn:
        if not conn.execute(text("SELECT pg_try_advisory_lock(hashtext('liaison:spare-pool'))")).scalar():
            return None
        try:
            return refill(target, engine, progress)
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(hashtext('liaison:spare-pool'))"))
            conn.commit()
