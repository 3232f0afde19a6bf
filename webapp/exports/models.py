"""Exports (issue #9): one row per file someone asked for, built by an RQ job, kept for a while."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenants.base import CreatedAt, PlatformModel
from tenants.models import JsonB


class ExportState(str, enum.Enum):
    queued = "queued"  #: waiting for a worker (or for a retry)
    running = "running"  #: a worker is building the file
    done = "done"  #: the file is ready until `expires_at`
    failed = "failed"  #: every try failed; the person may retry
    expired = "expired"  #: the file was deleted after the retention period


class Export(CreatedAt, PlatformModel):
    """A file built for one person (a town's export) or one committee (a committee's export).

    Exactly one of `town_id` and `committee_id` says whose data it holds; the file itself lives
    under the configured EXPORT_DIR at `path` (relative to it), never in the database."""

    __tablename__ = "exports"
    __table_args__ = (UniqueConstraint("requested_by", "nonce"),
                      CheckConstraint("(town_id IS NULL) <> (committee_id IS NULL)", name="one_owner"),
                      Index("ix_exports_state_expires_at", "state", "expires_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the registered export kind (webapp.exports.kinds): town_ledgers, deputy_file_xlsx, committee_quarter ...
    kind: Mapped[str] = mapped_column(String(40))
    #: what the kind needs, validated when asked (a year, a quarter, a deputy id) and the language to write in
    params: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    town_id: Mapped[int | None] = mapped_column(ForeignKey("towns.id", ondelete="CASCADE"), index=True)
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id", ondelete="CASCADE"), index=True)
    state: Mapped[ExportState] = mapped_column(Enum(ExportState, name="export_state", native_enum=False, length=16),
                                               default=ExportState.queued)
    #: what the job is doing now, in the requester's language (the page shows it beside the bar)
    step: Mapped[str | None] = mapped_column(String(200))
    percent: Mapped[int] = mapped_column(default=0)
    #: the name the download is offered under
    filename: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(BigInteger)
    #: the finished file, relative to EXPORT_DIR
    path: Mapped[str | None] = mapped_column(String(300))
    #: the last failure, for operators (the page shows a plain message)
    error: Mapped[str | None] = mapped_column(Text)
    #: how many times a worker started building it
    attempts: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    #: the form's once-only token: a double-clicked button makes one export
    nonce: Mapped[str | None] = mapped_column(String(64))

    @property
    def active(self) -> bool:
        return self.state in (ExportState.queued, ExportState.running)
