"""Key projects and their supervision (一事一小组, the five ones 五个一): the town's annual
projects, the deputy-led groups that supervise them, the records of each supervision
(monthly briefing, quarterly inspection, half-year report, annual review), the findings
of inspections with their rectification ledger (整改台账), and the annual satisfaction vote."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (CheckConstraint, Column, Enum, ForeignKey, LargeBinary, Numeric, String, Table, Text,
                        UniqueConstraint, func)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.base import CreatedAt, TownModel
from tenants.models import JsonB

group_members = Table(
    "supervision_group_members",
    TownModel.metadata,
    Column("group_id", ForeignKey("supervision_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("deputy_id", ForeignKey("deputies.id", ondelete="CASCADE"), primary_key=True, index=True),
)


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

    members: Mapped[list["Deputy"]] = relationship(secondary=group_members,  # noqa: F821
                                                   order_by="Deputy.name_pinyin")


class ProjectKind(str, enum.Enum):
    key = "key"  #: 重点项目
    livelihood = "livelihood"  #: 民生实事


class Phase(str, enum.Enum):
    initiation = "initiation"  #: 立项
    feasibility = "feasibility"  #: 可研
    started = "started"  #: 开工
    construction = "construction"  #: 建设
    delivered = "delivered"  #: 交付
    review = "review"  #: 回头看


class Project(CreatedAt, TownModel):
    """One of the town's projects of a year. A continuing project (续建) is a new row for the
    new year that points at last year's (`continues_id`) and carries its history."""

    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("year", "name"),
                      CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"))

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[ProjectKind] = mapped_column(Enum(ProjectKind, name="project_kind", native_enum=False, length=16))
    continues_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), unique=True)
    category: Mapped[str | None] = mapped_column(String(40))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("responsible_units.id", ondelete="RESTRICT"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_groups.id", ondelete="RESTRICT"), index=True)
    #: 万元
    budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    location: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    phase: Mapped[Phase] = mapped_column(Enum(Phase, name="project_phase", native_enum=False, length=16),
                                         default=Phase.initiation)
    progress: Mapped[int] = mapped_column(default=0)

    unit: Mapped["ResponsibleUnit | None"] = relationship()  # noqa: F821
    group: Mapped[SupervisionGroup | None] = relationship()
    continues: Mapped[Project | None] = relationship(remote_side="Project.id")
    milestones: Mapped[list[Milestone]] = relationship(back_populates="project", order_by="Milestone.planned_on",
                                                       cascade="all, delete-orphan")

    @property
    def continuing(self) -> bool:
        return self.continues_id is not None


class Milestone(TownModel):
    __tablename__ = "project_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    phase: Mapped[Phase | None] = mapped_column(Enum(Phase, name="project_phase", native_enum=False, length=16))
    planned_on: Mapped[date]
    done_on: Mapped[date | None]

    project: Mapped[Project] = relationship(back_populates="milestones")


class RecordKind(str, enum.Enum):
    briefing = "briefing"  #: 一月一通报
    inspection = "inspection"  #: 一季一督查
    half_year_report = "half_year_report"  #: 半年一报告
    annual_review = "annual_review"  #: 一年一审议


record_attendees = Table(
    "supervision_record_attendees",
    TownModel.metadata,
    Column("record_id", ForeignKey("supervision_records.id", ondelete="CASCADE"), primary_key=True),
    Column("deputy_id", ForeignKey("deputies.id", ondelete="CASCADE"), primary_key=True, index=True),
)

record_projects = Table(
    "supervision_record_projects",
    TownModel.metadata,
    Column("record_id", ForeignKey("supervision_records.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class SupervisionRecord(CreatedAt, TownModel):
    """One meeting of the five ones: a group's monthly briefing, a quarterly on-site inspection,
    the half-year report to the presidium, or the annual review of a year's projects."""

    __tablename__ = "supervision_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RecordKind] = mapped_column(Enum(RecordKind, name="record_kind", native_enum=False, length=24),
                                             index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_groups.id", ondelete="RESTRICT"), index=True)
    day: Mapped[date] = mapped_column(index=True)
    place: Mapped[str | None] = mapped_column(String(200))
    #: what the unit reported (briefing, half-year report) or what was seen (inspection)
    summary: Mapped[str | None] = mapped_column(Text)
    issues_reported: Mapped[str | None] = mapped_column(Text)
    suggestions: Mapped[str | None] = mapped_column(Text)
    #: the briefing summary sent to the presidium / party committee
    sent_to_presidium_on: Mapped[date | None]
    other_attendees: Mapped[str | None] = mapped_column(String(500))

    group: Mapped[SupervisionGroup | None] = relationship()
    attendees: Mapped[list["Deputy"]] = relationship(secondary=record_attendees,  # noqa: F821
                                                     order_by="Deputy.name_pinyin")
    projects: Mapped[list[Project]] = relationship(secondary=record_projects, order_by="Project.name")
    files: Mapped[list[SupervisionFile]] = relationship(
        primaryjoin="and_(SupervisionRecord.id == foreign(SupervisionFile.record_id))", viewonly=True,
        order_by="SupervisionFile.id")


class FindingState(str, enum.Enum):
    found = "found"  #: raised at the inspection
    assigned = "assigned"  #: given to a unit with a deadline
    rectified = "rectified"  #: the unit reports it fixed, with evidence
    verified = "verified"  #: the group checked it


class Finding(CreatedAt, TownModel):
    """An issue found at an inspection: one line of the rectification ledger (整改台账)."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("supervision_records.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    description: Mapped[str] = mapped_column(String(1000))
    state: Mapped[FindingState] = mapped_column(
        Enum(FindingState, name="finding_state", native_enum=False, length=16), default=FindingState.found)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("responsible_units.id", ondelete="RESTRICT"), index=True)
    due_on: Mapped[date | None]
    rectified_on: Mapped[date | None]
    evidence: Mapped[str | None] = mapped_column(Text)
    verified_on: Mapped[date | None]
    verified_by: Mapped[str | None] = mapped_column(String(64))

    record: Mapped[SupervisionRecord] = relationship()
    project: Mapped[Project | None] = relationship()
    unit: Mapped["ResponsibleUnit | None"] = relationship()  # noqa: F821
    events: Mapped[list[FindingEvent]] = relationship(order_by="FindingEvent.id", cascade="all, delete-orphan")
    files: Mapped[list[SupervisionFile]] = relationship(
        primaryjoin="and_(Finding.id == foreign(SupervisionFile.finding_id))", viewonly=True,
        order_by="SupervisionFile.id")

    def overdue(self, today: date) -> bool:
        return (self.state in (FindingState.found, FindingState.assigned) and self.due_on is not None
                and self.due_on < today)


class FindingEvent(TownModel):
    __tablename__ = "finding_events"
    __table_args__ = (UniqueConstraint("finding_id", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None]
    actor_name: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    nonce: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class SupervisionFile(TownModel):
    """A photo or document of a supervision record (inspection photos) or of a finding (evidence)."""

    __tablename__ = "supervision_files"
    __table_args__ = (CheckConstraint("(record_id IS NULL) <> (finding_id IS NULL)", name="one_owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_records.id", ondelete="CASCADE"),
                                                  index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Voter(str, enum.Enum):
    voters = "voters"  #: 选民（群众）代表
    deputies = "deputies"  #: 人大代表


class Vote(str, enum.Enum):
    satisfied = "satisfied"
    basically = "basically"
    not_satisfied = "not_satisfied"


class ProjectReview(CreatedAt, TownModel):
    """The annual review's satisfaction vote on one project (满意度测评): paper tallies per
    group of voters, entered by staff, plus ballots cast on site by QR; the result against the
    town's pass threshold (frozen here when the review is recorded)."""

    __tablename__ = "project_reviews"
    __table_args__ = (UniqueConstraint("record_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("supervision_records.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    #: people present who may vote: {"voters": 40, "deputies": 12}
    present: Mapped[dict] = mapped_column(JsonB, default=dict)
    #: paper tallies: {"voters": {"satisfied": 30, "basically": 8, "not_satisfied": 2}, "deputies": {...}}
    tallies: Mapped[dict] = mapped_column(JsonB, default=dict)
    #: the pass threshold in percent of satisfied + basically satisfied, from the town's settings
    threshold: Mapped[int] = mapped_column(default=80)
    closed: Mapped[bool] = mapped_column(default=False)

    record: Mapped[SupervisionRecord] = relationship()
    project: Mapped[Project] = relationship()
    ballots: Mapped[list[Ballot]] = relationship(back_populates="review", cascade="all, delete-orphan",
                                                 order_by="Ballot.id")


class Ballot(TownModel):
    """One ballot of an on-site vote: its QR code is its secret; it counts once."""

    __tablename__ = "ballots"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("project_reviews.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    voter: Mapped[Voter] = mapped_column(Enum(Voter, name="voter_kind", native_enum=False, length=16))
    vote: Mapped[Vote | None] = mapped_column(Enum(Vote, name="vote_value", native_enum=False, length=16))
    cast_at: Mapped[datetime | None]

    review: Mapped[ProjectReview] = relationship(back_populates="ballots")


class Candidate(CreatedAt, TownModel):
    """A candidate project for next year, put to the annual review for consultation."""

    __tablename__ = "project_candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("supervision_records.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(String(1000))
    support: Mapped[int] = mapped_column(default=0)
    object: Mapped[int] = mapped_column(default=0)
    comments: Mapped[str | None] = mapped_column(Text)
