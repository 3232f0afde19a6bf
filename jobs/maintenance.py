"""Platform upkeep."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from tenants.binding import TownBinding, town_connection
from tenants.models import Town, TownStatus
from tenants.schema import TOWN_VERSION_TABLE, head
from webapp.extensions import db

from . import platform_job, progress


@platform_job
def verify_town_schemas() -> dict[str, int]:
    """Read each town schema's own version stamp and note it on the town's row, so the
    operators' page shows a town left behind by a failed migration. Idempotent."""
    towns = db.session.scalars(select(Town).where(Town.status != TownStatus.archived).order_by(Town.id)).all()
    wanted = head("town")
    behind = 0
    for n, town in enumerate(towns, 1):
        try:
            with town_connection(db.engine, TownBinding.of(town)) as conn:
                revision = conn.execute(text(f"SELECT version_num FROM {TOWN_VERSION_TABLE}")).scalar()
        except SQLAlchemyError as exc:  # a broken town is what this job exists to show
            town.migration_error = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
            revision = None
        town.schema_revision = revision
        town.schema_checked_at = db.func.now()
        behind += revision != wanted
        progress(n, len(towns), town.slug)
    return {"towns": len(towns), "behind": behind}
