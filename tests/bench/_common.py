"""Shared set-up of the benchmarks: a fresh database on the embedded stack (or on
DATABASE_URL), the platform migrated, the demo regions."""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def setup(name: str):
    from webapp import devstack

    stack = devstack.start("bench", database=name, fresh_database=True)
    os.environ["DATABASE_URL"], os.environ["REDIS_URL"] = stack.database_url, stack.redis_url
    from sqlalchemy.engine import make_url

    from tenants.migrate import upgrade_platform
    from tenants.schema import role_prefix
    from webapp import create_app
    from webapp.demo import ensure_regions
    from webapp.extensions import db

    import psycopg

    prefix = role_prefix(make_url(stack.database_url).database)
    with psycopg.connect(stack.database_url.replace("+psycopg", ""), autocommit=True) as conn:
        for (role,) in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (prefix + "%",)).fetchall():
            conn.execute(f'DROP ROLE "{role}"')
    app = create_app()
    ctx = app.app_context()
    ctx.push()
    upgrade_platform(db.engine)
    regions = ensure_regions()
    return stack, app, ctx, db, regions


def median(values: list[float]) -> float:
    return statistics.median(values)
