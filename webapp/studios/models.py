"""Areas (片区) and their "lead goose" studios (头雁工作室): villages and member deputies."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.base import CreatedAt, TownModel

studio_members = Table(
    "studio_members",
    TownModel.metadata,
    Column("studio_id", ForeignKey("studios.id", ondelete="CASCADE"), primary_key=True),
    Column("deputy_id", ForeignKey("deputies.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Studio(CreatedAt, TownModel):
    __tablename__ = "studios"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 头雁工作室 name, e.g. 尹庄片区头雁工作室
    name: Mapped[str] = mapped_column(String(64), unique=True)
    #: the area (片区) it serves
    area: Mapped[str] = mapped_column(String(64))
    #: the villages and communities of the area, one per line
    villages: Mapped[str] = mapped_column(String(1000), default="")

    members: Mapped[list["Deputy"]] = relationship(secondary=studio_members,  # noqa: F821
                                                   order_by="Deputy.name_pinyin")

    @property
    def village_list(self) -> list[str]:
        return [v.strip() for v in self.villages.splitlines() if v.strip()]
