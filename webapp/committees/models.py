"""City/county congress committees and their jurisdiction."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Enum, ForeignKey, LargeBinary, String, Text, UniqueConstraint, func
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


class NoticeState(str, enum.Enum):
    issued = "issued"  #: waiting for the town
    answered = "answered"  #: the town responded; the committee decides
    accepted = "accepted"  #: closed
    returned = "returned"  #: not enough: back to the town


class SupervisionNotice(CreatedAt, PlatformModel):
    """督办: a committee's one-to-one supervision notice to one town of its jurisdiction."""

    __tablename__ = "supervision_notices"
    __table_args__ = (UniqueConstraint("committee_id", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id", ondelete="CASCADE"), index=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id", ondelete="CASCADE"), index=True)
    #: what it is about: "cadence", "opinions", "findings" or "other"
    topic: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date]
    state: Mapped[NoticeState] = mapped_column(Enum(NoticeState, name="notice_state", native_enum=False, length=16),
                                               default=NoticeState.issued)
    issued_by: Mapped[str | None] = mapped_column(String(64))
    #: the form's (or the API's Idempotency-Key) once-only token: a double submission issues one notice
    nonce: Mapped[str | None] = mapped_column(String(64))

    committee: Mapped[Committee] = relationship()
    events: Mapped[list[NoticeEvent]] = relationship(order_by="NoticeEvent.id", cascade="all, delete-orphan")

    def overdue(self, today: date) -> bool:
        return self.state in (NoticeState.issued, NoticeState.returned) and self.due_on < today


class NoticeEvent(PlatformModel):
    """One line of a notice's history: issued, answered (with the town's actions and
    evidence), accepted or returned (with the committee's note)."""

    __tablename__ = "supervision_notice_events"
    __table_args__ = (UniqueConstraint("notice_id", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("supervision_notices.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    actor_name: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str | None] = mapped_column(String(200))
    mimetype: Mapped[str | None] = mapped_column(String(100))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    nonce: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
