"""Invitation codes: a committee (or an operator) lets one town sign up."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.base import CreatedAt, PlatformModel
from tenants.models import Region


class Invitation(CreatedAt, PlatformModel):
    """One code, one town: it names the county the town belongs to (pre-filled at signup),
    optionally the town's name and a suggested template; it expires, and is used once."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="RESTRICT"))
    town_name: Mapped[str | None] = mapped_column(String(64))
    template_key: Mapped[str | None] = mapped_column(String(40))
    expires_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None]
    town_id: Mapped[int | None] = mapped_column(ForeignKey("towns.id", ondelete="SET NULL"))

    region: Mapped[Region] = relationship()

    def state(self, now: datetime) -> str:
        return "used" if self.used_at else "expired" if self.expires_at <= now else "open"
