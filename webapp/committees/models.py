"""City/county congress committees and their jurisdiction."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.base import CreatedAt, PlatformModel
from tenants.models import Region


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
