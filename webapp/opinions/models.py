"""Constituents' opinions (群众意见/诉求) and deputies' suggestions (议案建议): one ledger, one
state machine, one deadline machinery. Every change of state is an event in the history."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (CheckConstraint, Enum, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint,
                        func)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.base import CreatedAt, TownModel
from tenants.models import JsonB


class Kind(str, enum.Enum):
    opinion = "opinion"  #: what a constituent said (群众意见)
    suggestion = "suggestion"  #: what a deputy filed (议案建议)


class Channel(str, enum.Enum):
    reception_day = "reception_day"  #: 接待日
    visit = "visit"  #: a deputy's visit 走访
    grid = "grid"  #: in a grid 网格
    hotline = "hotline"  #: the 12345 hotline
    web_form = "web_form"  #: the public form (station page or a deputy's QR page)
    forum = "forum"  #: forum or deliberation 议事/论坛
    staff = "staff"  #: entered by staff (a letter, a call to the station ...)
    deputy = "deputy"  #: a deputy's own suggestion


class State(str, enum.Enum):
    collected = "collected"
    accepted = "accepted"
    merged = "merged"  #: a duplicate of another opinion
    out_of_scope = "out_of_scope"  #: not for the station (with reason)
    assigned = "assigned"  #: 交办 to a unit, with a deadline
    in_progress = "in_progress"  #: the unit has replied in between
    answered = "answered"  #: 办理完成
    feedback_given = "feedback_given"  #: 反馈 to the constituent (or the deputy)
    closed = "closed"  #: 办结, with satisfaction
    reopened = "reopened"  #: closed not satisfied, to be handled again


class Satisfaction(str, enum.Enum):
    satisfied = "satisfied"
    basically = "basically"
    not_satisfied = "not_satisfied"


class CongressLevel(str, enum.Enum):
    """Where a deputy's suggestion was filed (town: handled here; higher: recorded here)."""

    town = "town"
    county = "county"
    prefecture = "prefecture"
    province = "province"
    national = "national"


class UnitKind(str, enum.Enum):
    department = "department"  #: 镇直部门
    village = "village"  #: 村（社区）
    company = "company"  #: 企业（供电、供水 ...）
    other = "other"


class OpinionCategory(TownModel):
    """What an opinion is about, with the town's default deadline in working days and when
    to warn before it."""

    __tablename__ = "opinion_categories"
    __table_args__ = (CheckConstraint("deadline_days > 0 AND warning_days >= 0", name="deadline_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str | None] = mapped_column(String(96))
    deadline_days: Mapped[int] = mapped_column(default=15)
    warning_days: Mapped[int] = mapped_column(default=3)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class ResponsibleUnit(CreatedAt, TownModel):
    """责任单位: a department, village or company that handles opinions, with its contact."""

    __tablename__ = "responsible_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[UnitKind] = mapped_column(Enum(UnitKind, name="unit_kind", native_enum=False, length=16))
    contact_name: Mapped[str | None] = mapped_column(String(32))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(default=True)


class Opinion(CreatedAt, TownModel):
    __tablename__ = "opinions"
    __table_args__ = (
        Index("ix_opinions_kind_received_on", "kind", "received_on"),
        Index("ix_opinions_state_due_on", "state", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[Kind] = mapped_column(Enum(Kind, name="opinion_kind", native_enum=False, length=16))
    channel: Mapped[Channel] = mapped_column(Enum(Channel, name="opinion_channel", native_enum=False, length=16),
                                             index=True)
    received_on: Mapped[date]
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("opinion_categories.id", ondelete="RESTRICT"),
                                                    index=True)
    #: who said it; the phone is seen by staff only
    constituent_name: Mapped[str | None] = mapped_column(String(32))
    constituent_phone: Mapped[str | None] = mapped_column(String(20))
    village: Mapped[str | None] = mapped_column(String(64))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id", ondelete="SET NULL"), index=True)
    #: the deputy who received it, or the suggestion's author
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("deputies.id", ondelete="SET NULL"), index=True)
    reception_day_id: Mapped[int | None] = mapped_column(ForeignKey("reception_days.id", ondelete="SET NULL"),
                                                         index=True)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id", ondelete="SET NULL"), index=True)
    #: the 12345 hotline's case number (an import or the feed never adds a case twice)
    hotline_case_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    #: what a constituent who used the public form tracks it by
    receipt_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    #: suggestions: the congress it was filed to
    congress_level: Mapped[CongressLevel | None] = mapped_column(
        Enum(CongressLevel, name="congress_level", native_enum=False, length=16))

    state: Mapped[State] = mapped_column(Enum(State, name="opinion_state", native_enum=False, length=16),
                                         default=State.collected)
    reason: Mapped[str | None] = mapped_column(String(500))  #: why merged / out of scope / reopened
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("opinions.id", ondelete="SET NULL"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("responsible_units.id", ondelete="RESTRICT"), index=True)
    assigned_on: Mapped[date | None]
    due_on: Mapped[date | None]
    warn_on: Mapped[date | None]
    #: an extension the unit asked for and nobody has decided yet (working days)
    extension_days_requested: Mapped[int | None]
    answered_on: Mapped[date | None]
    answer: Mapped[str | None] = mapped_column(Text)
    feedback_on: Mapped[date | None]
    feedback_by: Mapped[str | None] = mapped_column(String(32))
    feedback_how: Mapped[str | None] = mapped_column(String(16))
    closed_on: Mapped[date | None]
    satisfaction: Mapped[Satisfaction | None] = mapped_column(
        Enum(Satisfaction, name="satisfaction", native_enum=False, length=16))
    #: who rated: "constituent" (the public page), "deputy" (their suggestion), "staff" (asked by phone)
    rated_by: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    category: Mapped[OpinionCategory | None] = relationship()
    unit: Mapped[ResponsibleUnit | None] = relationship()
    deputy: Mapped["Deputy | None"] = relationship()  # noqa: F821
    events: Mapped[list[OpinionEvent]] = relationship(back_populates="opinion", order_by="OpinionEvent.id",
                                                      cascade="all, delete-orphan")
    files: Mapped[list[OpinionFile]] = relationship(back_populates="opinion", order_by="OpinionFile.id",
                                                    cascade="all, delete-orphan")
    seconders: Mapped[list["Deputy"]] = relationship(secondary="suggestion_seconders",  # noqa: F821
                                                     order_by="Deputy.name_pinyin")

    @property
    def open(self) -> bool:
        """With a unit and a deadline running."""
        return self.state in (State.assigned, State.in_progress)

    def overdue(self, today: date) -> bool:
        return self.open and self.due_on is not None and self.due_on < today

    def nearly_due(self, today: date) -> bool:
        return (self.open and self.due_on is not None and self.warn_on is not None
                and self.warn_on <= today <= self.due_on)

    @property
    def on_time(self) -> bool | None:
        if self.answered_on is None or self.due_on is None:
            return None
        return self.answered_on <= self.due_on


class OpinionEvent(TownModel):
    """One line of an opinion's history: who did what, when, from which state to which."""

    __tablename__ = "opinion_events"
    __table_args__ = (UniqueConstraint("opinion_id", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(ForeignKey("opinions.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    #: a platform user id (no FK across schemas); None for the constituent, the hotline feed or a job
    actor_id: Mapped[int | None]
    actor_name: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JsonB, default=dict)
    #: the form's (or API caller's) once-only key: a double click applies once
    nonce: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    opinion: Mapped[Opinion] = relationship(back_populates="events")


class OpinionUrge(TownModel):
    """催办: an overdue or nearly-due opinion was urged on a day (once per opinion and day)."""

    __tablename__ = "opinion_urges"
    __table_args__ = (UniqueConstraint("opinion_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(ForeignKey("opinions.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]
    #: "overdue" or "warning"
    reason: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("responsible_units.id", ondelete="SET NULL"))
    notified: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class OpinionFile(TownModel):
    """A photo (or document) of an opinion: what the constituent showed, or the unit's evidence."""

    __tablename__ = "opinion_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(ForeignKey("opinions.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    opinion: Mapped[Opinion] = relationship(back_populates="files")


class SuggestionSeconder(TownModel):
    """A deputy who seconded (附议) a suggestion."""

    __tablename__ = "suggestion_seconders"

    opinion_id: Mapped[int] = mapped_column(ForeignKey("opinions.id", ondelete="CASCADE"), primary_key=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id", ondelete="CASCADE"), primary_key=True,
                                           index=True)
