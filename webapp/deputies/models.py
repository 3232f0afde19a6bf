"""The roster: the town's deputies, and the higher-level deputies who live in the town."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, LargeBinary, String, func
from sqlalchemy.orm import Mapped, mapped_column

from tenants.base import CreatedAt, TownModel


class DeputyLevel(str, enum.Enum):
    town = "town"  #: 镇级
    county = "county"  #: 县级 (e.g. 灵宝市, a county-level city)
    prefecture = "prefecture"  #: 地市级 (三门峡市)
    province = "province"
    national = "national"


class Gender(str, enum.Enum):
    male = "male"
    female = "female"


class DeputyStatus(str, enum.Enum):
    serving = "serving"
    left = "left"


class Deputy(CreatedAt, TownModel):
    __tablename__ = "deputies"
    __table_args__ = (
        CheckConstraint("birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100", name="birth_year_range"),
        CheckConstraint("term_end IS NULL OR term_start IS NULL OR term_end >= term_start", name="term_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), index=True)
    #: "zhaoguoqiang zgq": full pinyin and initials, lower-case, for search by pinyin
    name_pinyin: Mapped[str] = mapped_column(String(200))
    gender: Mapped[Gender | None] = mapped_column(Enum(Gender, name="gender", native_enum=False, length=8))
    ethnicity: Mapped[str | None] = mapped_column(String(16))
    birth_year: Mapped[int | None]
    party: Mapped[str | None] = mapped_column(String(32))
    occupation: Mapped[str | None] = mapped_column(String(64))
    sector: Mapped[str | None] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(String(20))
    #: the deputy chose to show their phone on their public page
    phone_public: Mapped[bool] = mapped_column(default=False)
    #: 选区: the electoral district (usually a village or community)
    constituency: Mapped[str | None] = mapped_column(String(64), index=True)
    level: Mapped[DeputyLevel] = mapped_column(Enum(DeputyLevel, name="deputy_level", native_enum=False, length=16))
    term_start: Mapped[date | None]
    term_end: Mapped[date | None]
    status: Mapped[DeputyStatus] = mapped_column(
        Enum(DeputyStatus, name="deputy_status", native_enum=False, length=16), default=DeputyStatus.serving)
    left_on: Mapped[date | None]
    #: platform user id when the deputy has an account (no FK across schemas); one account, one deputy
    user_id: Mapped[int | None] = mapped_column(unique=True)
    #: the secret in the deputy's calendar-feed address (a phone calendar subscribes to it)
    calendar_token: Mapped[str | None] = mapped_column(String(40), unique=True)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class DeputyPhoto(TownModel):
    """The deputy's photo, kept in the town's schema so it moves and is backed up with the town."""

    __tablename__ = "deputy_photos"

    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id", ondelete="CASCADE"), primary_key=True)
    mimetype: Mapped[str] = mapped_column(String(32))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
