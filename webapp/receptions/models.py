"""Reception days (接待日) and the annual rota (年度安排表): who receives constituents when."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.base import CreatedAt, TownModel

rota_entries = Table(
    "rota_entries",
    TownModel.metadata,
    Column("reception_day_id", ForeignKey("reception_days.id", ondelete="CASCADE"), primary_key=True),
    Column("deputy_id", ForeignKey("deputies.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ReceptionDay(CreatedAt, TownModel):
    """One reception day: its date (the town's rule after the holiday policy) and who is on duty."""

    __tablename__ = "reception_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    starts: Mapped[str | None] = mapped_column(String(5))
    ends: Mapped[str | None] = mapped_column(String(5))
    place: Mapped[str | None] = mapped_column(String(200))
    #: a locked month is kept as it is when the rota is generated again
    locked: Mapped[bool] = mapped_column(default=False)

    deputies: Mapped[list["Deputy"]] = relationship(secondary=rota_entries,  # noqa: F821
                                                    order_by="Deputy.name_pinyin")
