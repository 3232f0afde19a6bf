"""Key projects and their supervision (一事一小组). The spine holds the groups."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tenants.base import CreatedAt, TownModel


class SupervisionGroup(CreatedAt, TownModel):
    """A deputy-led group that supervises the projects assigned to it (per-town, from the template)."""

    __tablename__ = "supervision_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stable key from the template (rural_revitalization, urban_construction, ...) or a new one
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str | None] = mapped_column(String(96))
    description: Mapped[str | None] = mapped_column(String(500))
    #: the deputy who leads the group (an id in this town's deputies; the roster comes with #3)
    leader_deputy_id: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
