"""Deputy evaluation. The spine holds the town's evaluation template (indicators, points, caps)."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

from datetime import date, datetime

from sqlalchemy import Enum, ForeignKey, Numeric, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.base import CreatedAt, TownModel
from tenants.models import JsonB


class IndicatorSource(str, enum.Enum):
    computed = "computed"  #: counted from the town's records
    entered = "entered"  #: scored by the presidium or by voters


class EvaluationTemplate(CreatedAt, TownModel):
    __tablename__ = "evaluation_templates"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(96))
    version: Mapped[int] = mapped_column(default=1)
    #: grade thresholds on the total, highest first: [{"grade": "excellent", "min": 90}, ...]
    grades: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)
    #: outstanding deputies to select each year
    outstanding_count: Mapped[int] = mapped_column(default=10)
    #: the most a deputy can score: the indicators' caps times their weights must add up to it
    max_total: Mapped[Decimal] = mapped_column(Numeric(7, 2), default=100, server_default="100")

    indicators: Mapped[list[EvaluationIndicator]] = relationship(
        back_populates="template", order_by="EvaluationIndicator.position", cascade="all, delete-orphan"
    )


class EvaluationIndicator(TownModel):
    __tablename__ = "evaluation_indicators"
    __table_args__ = (UniqueConstraint("template_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("evaluation_templates.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(96))
    name_en: Mapped[str | None] = mapped_column(String(128))
    source: Mapped[IndicatorSource] = mapped_column(
        Enum(IndicatorSource, name="indicator_source", native_enum=False, length=16)
    )
    #: points for the first participation, for each further one, and the most this indicator gives
    base_points: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=0)
    points_per_extra: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=0)
    cap: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=0)
    weight: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=1)
    position: Mapped[int] = mapped_column(default=0)

    template: Mapped[EvaluationTemplate] = relationship(back_populates="indicators")


class YearState(str, enum.Enum):
    open = "open"  #: computed and recomputed; deputies may object until the window closes
    closed = "closed"  #: frozen by the presidium


class EvaluationYear(CreatedAt, TownModel):
    """One year's evaluation. It freezes the template it was opened with (`snapshot`): later
    edits of the template never change it."""

    __tablename__ = "evaluation_years"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_templates.id", ondelete="SET NULL"))
    #: the template as it was: {"name", "version", "grades", "outstanding_count", "max_total", "indicators": [...]}
    snapshot: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    state: Mapped[YearState] = mapped_column(Enum(YearState, name="evaluation_year_state", native_enum=False,
                                                  length=16), default=YearState.open)
    #: deputies may object to an item of their provisional score until this day
    objections_until: Mapped[date | None]
    computed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))


class EvaluationScore(TownModel):
    """One deputy's score on one indicator of a year, with how it came about."""

    __tablename__ = "evaluation_scores"
    __table_args__ = (UniqueConstraint("year_id", "deputy_id", "indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("evaluation_years.id", ondelete="CASCADE"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(String(40))
    #: records counted (computed indicators)
    count: Mapped[int] = mapped_column(default=0)
    #: points before the weight: from the rule (computed) or as entered, within 0..cap
    points: Mapped[Decimal] = mapped_column(Numeric(7, 2), default=0)
    #: points after a resolved objection, replacing `points`
    override: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    #: {"rule": "...", "records": [{"day", "title", "kind", "id"}], "capped": bool, "entered_by": ...}
    explanation: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)


class ObjectionState(str, enum.Enum):
    open = "open"
    accepted = "accepted"
    rejected = "rejected"


class Objection(CreatedAt, TownModel):
    """A deputy's objection to one item of their provisional score, and how staff resolved it."""

    __tablename__ = "evaluation_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("evaluation_years.id", ondelete="CASCADE"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[ObjectionState] = mapped_column(
        Enum(ObjectionState, name="objection_state", native_enum=False, length=16), default=ObjectionState.open)
    #: points the item gets when the objection is accepted
    points_after: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(64))


class EvaluationResult(TownModel):
    """A closed year's result for one deputy, frozen when the presidium closes the year."""

    __tablename__ = "evaluation_results"
    __table_args__ = (UniqueConstraint("year_id", "deputy_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("evaluation_years.id", ondelete="CASCADE"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id", ondelete="CASCADE"), index=True)
    total: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    rank: Mapped[int]
    grade: Mapped[str] = mapped_column(String(24))
    outstanding: Mapped[bool] = mapped_column(default=False)
    renominate: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
