"""Deputy evaluation. The spine holds the town's evaluation template (indicators, points, caps)."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import Enum, ForeignKey, Numeric, String, UniqueConstraint
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
