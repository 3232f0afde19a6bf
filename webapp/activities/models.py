"""Station activities. The spine holds the town's activity types and their expected cadence."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Enum, ForeignKey, LargeBinary, String, Text, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


class Activity(TownModel):
    """One activity the station held or plans: a deliberation, an inspection, a training ..."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("activity_types.id", ondelete="RESTRICT"), index=True)
    theme: Mapped[str] = mapped_column(String(200))
    day: Mapped[date] = mapped_column(index=True)
    place: Mapped[str | None] = mapped_column(String(200))
    organiser: Mapped[str | None] = mapped_column(String(64))
    minutes: Mapped[str | None] = mapped_column(Text)
    outcomes: Mapped[str | None] = mapped_column(String(2000))
    opinions_raised: Mapped[int | None]
    problems_solved: Mapped[int | None]
    #: study sessions (研学) and trainings: how many people were trained
    trainees: Mapped[int | None]
    #: the secret in the check-in QR code shown at the activity
    checkin_token: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    type: Mapped[ActivityType] = relationship()
    invitees: Mapped[list[ActivityInvitee]] = relationship(back_populates="activity", cascade="all, delete-orphan",
                                                           order_by="ActivityInvitee.deputy_id")
    files: Mapped[list[ActivityFile]] = relationship(back_populates="activity", cascade="all, delete-orphan",
                                                     order_by="ActivityFile.id")


class ActivityInvitee(TownModel):
    """A deputy invited to (or walking into) an activity, and whether and how they checked in."""

    __tablename__ = "activity_invitees"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id", ondelete="CASCADE"), primary_key=True, index=True)
    invited: Mapped[bool] = mapped_column(default=True)
    checked_in_at: Mapped[datetime | None]
    #: "qr" (the deputy scanned the code) or "staff"
    checked_in_by: Mapped[str | None] = mapped_column(String(16))
    #: the deputy lectured (a study session's 领学/授课 deputy)
    lecturer: Mapped[bool] = mapped_column(default=False, server_default=false())

    activity: Mapped[Activity] = relationship(back_populates="invitees")
    deputy: Mapped["Deputy"] = relationship()  # noqa: F821


class ActivityFile(TownModel):
    """A photo or document of an activity, kept in the town's schema (type checked, size limited)."""

    __tablename__ = "activity_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    activity: Mapped[Activity] = relationship(back_populates="files")
