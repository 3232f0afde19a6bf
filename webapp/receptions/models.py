"""Reception days (接待日) and the annual rota (年度安排表): who receives constituents when,
whether they were told a week ahead, whether they confirmed, whether they came."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Column, DateTime, Enum, ForeignKey, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.base import CreatedAt, TownModel


class Response(str, enum.Enum):
    confirmed = "confirmed"
    declined = "declined"


rota_entries = Table(
    "rota_entries",
    TownModel.metadata,
    Column("reception_day_id", ForeignKey("reception_days.id", ondelete="CASCADE"), primary_key=True),
    Column("deputy_id", ForeignKey("deputies.id", ondelete="CASCADE"), primary_key=True, index=True),
    #: when the deputy was told (the notice a week ahead) and through which channels
    Column("notified_at", DateTime(timezone=True)),
    Column("notified_by", String(64)),
    Column("response", Enum(Response, name="rota_response", native_enum=False, length=16)),
    Column("responded_at", DateTime(timezone=True)),
    #: recorded on the day: whether the deputy came
    Column("attended", Boolean),
)


class RotaEntry(TownModel):
    """One deputy on duty on one day (the rota's row, with its notice and answer)."""

    __table__ = rota_entries

    reception_day_id: Mapped[int]
    deputy_id: Mapped[int]
    notified_at: Mapped[datetime | None]
    notified_by: Mapped[str | None]
    response: Mapped[Response | None]
    responded_at: Mapped[datetime | None]
    attended: Mapped[bool | None]


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
    #: recorded on the day
    held: Mapped[bool] = mapped_column(default=False, server_default=false())
    constituents_received: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(String(2000))

    deputies: Mapped[list["Deputy"]] = relationship(secondary=rota_entries,  # noqa: F821
                                                    order_by="Deputy.name_pinyin")
    entries: Mapped[list[RotaEntry]] = relationship(viewonly=True, primaryjoin="ReceptionDay.id == foreign(RotaEntry.reception_day_id)")
