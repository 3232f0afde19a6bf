"""Audit logs: platform actions (schema platform) and each town's own log (town schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from tenants.base import PlatformModel, TownModel
from tenants.models import JsonB


class PlatformAuditEntry(PlatformModel):
    __tablename__ = "platform_audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: dotted verb: town.create, user.login, user.login_failed, token.create ...
    action: Mapped[str] = mapped_column(String(64), index=True)
    town_id: Mapped[int | None] = mapped_column(ForeignKey("towns.id", ondelete="SET NULL"), index=True)
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id", ondelete="SET NULL"))
    target: Mapped[str | None] = mapped_column(String(128))
    details: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))


class TownAuditEntry(TownModel):
    """What happened inside one town. `actor_id` is a platform user id (no FK across schemas)."""

    __tablename__ = "town_audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
    actor_id: Mapped[int | None]
    actor_name: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(128))
    details: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
