"""Grids (网格): residential and street-shop grids, their heads, and the deputies assigned."""

from __future__ import annotations

import enum

from sqlalchemy import Column, Enum, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.base import CreatedAt, TownModel


class GridKind(str, enum.Enum):
    residential = "residential"  #: 居民网格
    shop = "shop"  #: 沿街商铺网格


grid_deputies = Table(
    "grid_deputies",
    TownModel.metadata,
    Column("grid_id", ForeignKey("grids.id", ondelete="CASCADE"), primary_key=True),
    Column("deputy_id", ForeignKey("deputies.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Grid(CreatedAt, TownModel):
    __tablename__ = "grids"
    __table_args__ = (UniqueConstraint("community", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[GridKind] = mapped_column(Enum(GridKind, name="grid_kind", native_enum=False, length=16))
    #: the village or community the grid belongs to
    community: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(64))

    heads: Mapped[list[GridHead]] = relationship(back_populates="grid", cascade="all, delete-orphan",
                                                 order_by="GridHead.id")
    deputies: Mapped[list["Deputy"]] = relationship(secondary=grid_deputies,  # noqa: F821
                                                    order_by="Deputy.name_pinyin")


class GridHead(TownModel):
    """网格长 / 网格员: the person responsible for a grid."""

    __tablename__ = "grid_heads"

    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(String(20))

    grid: Mapped[Grid] = relationship(back_populates="heads")
