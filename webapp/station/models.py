"""The station's profile: where it is, when it is open, who runs it (one row per town)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Numeric, String, func
from sqlalchemy.orm import Mapped, mapped_column

from tenants.base import TownModel


class StationProfile(TownModel):
    __tablename__ = "station_profiles"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=1)
    address: Mapped[str | None] = mapped_column(String(200))
    opening_hours: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    #: 站长 (usually the town's party secretary)
    head: Mapped[str | None] = mapped_column(String(64))
    #: 副站长, one per line
    deputy_heads: Mapped[str | None] = mapped_column(String(500))
    #: the full-time staff, one per line
    staff: Mapped[str | None] = mapped_column(String(500))
    intro: Mapped[str | None] = mapped_column(String(2000))
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
