"""Station activities. The spine holds the town's activity types and their expected cadence."""

from __future__ import annotations

import enum

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from tenants.base import TownModel


class Cadence(str, enum.Enum):
    weekly = "weekly"
    monthly = "monthly"
    quarterly = "quarterly"
    half_yearly = "half_yearly"
    yearly = "yearly"
    as_needed = "as_needed"


class ActivityType(TownModel):
    """周议事、月接待、季联席、年总结 ...: what the station does and how often it should."""

    __tablename__ = "activity_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str | None] = mapped_column(String(96))
    cadence: Mapped[Cadence] = mapped_column(Enum(Cadence, name="cadence", native_enum=False, length=16))
    #: how many per cadence period the town expects (e.g. 1 joint meeting a quarter)
    expected_per_period: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
