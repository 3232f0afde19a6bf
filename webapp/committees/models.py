"""City/county congress committees and their jurisdiction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.base import CreatedAt, PlatformModel
from tenants.models import JsonB, Region


class Committee(CreatedAt, PlatformModel):
    """A congress committee (上级人大专工委); it reads every town under `region`."""

    __tablename__ = "committees"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(96))
    name_en: Mapped[str | None] = mapped_column(String(128))
    #: the jurisdiction: every town whose region lies under this one
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="RESTRICT"), index=True)

    region: Mapped[Region] = relationship()


class Rollup(PlatformModel):
    """One town's figures for one quarter, computed by the rollup job from the areas' services
    (never re-implemented), stamped with when. A finished quarter's row is frozen once computed
    after the quarter's end; the current quarter's row is provisional and replaced nightly."""

    __tablename__ = "rollups"
    __table_args__ = (UniqueConstraint("town_id", "year", "quarter"),
                      CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_range"))

    id: Mapped[int] = mapped_column(primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    quarter: Mapped[int]
    figures: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    provisional: Mapped[bool] = mapped_column(default=True)
    frozen: Mapped[bool] = mapped_column(default=False)
    computed_at: Mapped[datetime] = mapped_column(server_default=func.now())
