"""The tenant registry: regions and towns (schema `platform`)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import CreatedAt, PlatformModel

JsonB = JSON().with_variant(JSONB(), "postgresql")


class RegionLevel(str, enum.Enum):
    province = "province"
    prefecture = "prefecture"
    county = "county"
    town = "town"


class TownStatus(str, enum.Enum):
    active = "active"
    suspended = "suspended"
    archived = "archived"


class Region(CreatedAt, PlatformModel):
    """Province → prefecture → county → town. A committee's jurisdiction is a region."""

    __tablename__ = "regions"
    __table_args__ = (
        UniqueConstraint("parent_id", "name"),
        CheckConstraint("path ~ '^/([0-9]+/)+$'", name="path_format"),
        Index("ix_regions_path_prefix", "path", postgresql_ops={"path": "text_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="RESTRICT"), index=True)
    level: Mapped[RegionLevel] = mapped_column(Enum(RegionLevel, name="region_level", native_enum=False, length=16))
    #: the national administrative-division code, where known (410000, 411200, 411282 ...)
    code: Mapped[str | None] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str | None] = mapped_column(String(96))
    #: materialized path of ids, "/1/4/9/": every descendant's path starts with it
    path: Mapped[str] = mapped_column(String(255))

    parent: Mapped[Region | None] = relationship(remote_side=[id])

    def contains(self, other: Region) -> bool:
        """Whether `other` is this region or lies under it (a committee's reach)."""
        return other.path.startswith(self.path)

    def __repr__(self) -> str:
        return f"<Region {self.level.value} {self.name}>"


class Town(CreatedAt, PlatformModel):
    """One tenant: a town (镇/乡/街道) and its liaison station, living in schema `schema_name`."""

    __tablename__ = "towns"
    __table_args__ = (
        CheckConstraint("slug ~ '^[a-z][a-z0-9_]{1,39}$'", name="slug_format"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    #: unique within its county (through its region row), not nationally: many counties have a 城关镇
    name: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str | None] = mapped_column(String(96))
    #: the town's own region row (level town); its parents give the county and up
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="RESTRICT"), unique=True)
    schema_name: Mapped[str] = mapped_column(String(63), unique=True)
    #: the NOLOGIN role that owns the schema; bound transactions run as it
    role_name: Mapped[str] = mapped_column(String(63), unique=True)
    status: Mapped[TownStatus] = mapped_column(
        Enum(TownStatus, name="town_status", native_enum=False, length=16), default=TownStatus.active
    )
    locale: Mapped[str] = mapped_column(String(16), default="zh_Hans_CN")
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Shanghai")
    #: onboarding template key and version the town was seeded from
    template: Mapped[str] = mapped_column(String(40))
    template_version: Mapped[int] = mapped_column(default=1)
    #: per-town configuration: reception day rule, activity cadence, ... (see tenants/templates)
    settings: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    #: the town schema's Alembic revision as last seen by the runner or the nightly check
    schema_revision: Mapped[str | None] = mapped_column(String(32))
    schema_checked_at: Mapped[datetime | None]
    #: the last migration error for this town, cleared when it reaches head
    migration_error: Mapped[str | None]
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    region: Mapped[Region] = relationship()

    def __repr__(self) -> str:
        return f"<Town {self.slug}>"


def add_region(session, *, level: RegionLevel, name: str, parent: Region | None = None, code: str | None = None,
               name_en: str | None = None) -> Region:
    """Insert a region with its path, which contains its own id (taken from the sequence)."""
    from sqlalchemy import func, select

    region_id = session.scalar(select(func.nextval(func.pg_get_serial_sequence("platform.regions", "id"))))
    region = Region(id=region_id, level=level, name=name, name_en=name_en, code=code, parent=parent,
                    path=f"{parent.path if parent else '/'}{region_id}/")
    session.add(region)
    session.flush()
    return region


class TemplateSource(str, enum.Enum):
    town = "town"  #: saved by a station admin from their town's configuration
    committee = "committee"  #: made or imported by a committee
    imported = "imported"  #: imported from a file by an operator


class TownTemplate(CreatedAt, PlatformModel):
    """An onboarding template stored in the platform: a versioned bundle of a town's
    configuration (the same shape as the shipped files in tenants/templates/). A version is
    never changed; saving again makes the next version. A committee's published templates
    are offered to the towns that sign up with its invitation codes."""

    __tablename__ = "town_templates"
    __table_args__ = (UniqueConstraint("key", "version"),
                      CheckConstraint("key ~ '^[a-z][a-z0-9_]{1,39}$'", name="key_format"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(96))
    name_en: Mapped[str | None] = mapped_column(String(128))
    bundle: Mapped[dict[str, Any]] = mapped_column(JsonB)
    source: Mapped[TemplateSource] = mapped_column(
        Enum(TemplateSource, name="template_source", native_enum=False, length=16))
    #: the town it was saved from, or the committee that made, imported or published it
    town_id: Mapped[int | None] = mapped_column(ForeignKey("towns.id", ondelete="SET NULL"))
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id", ondelete="CASCADE"), index=True)
    published: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class SpareSchema(CreatedAt, PlatformModel):
    """A town schema made ahead of time (role, schema, every table at `revision`, no data),
    so that signing up only claims and renames one. Refilled by a job."""

    __tablename__ = "spare_schemas"

    id: Mapped[int] = mapped_column(primary_key=True)
    schema_name: Mapped[str] = mapped_column(String(63), unique=True)
    role_name: Mapped[str] = mapped_column(String(63), unique=True)
    revision: Mapped[str] = mapped_column(String(32))
