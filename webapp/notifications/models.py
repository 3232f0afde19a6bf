"""In-app notifications, the default channel of the pluggable notifier."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tenants.base import CreatedAt, TownModel


class Notification(CreatedAt, TownModel):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: platform user id (no FK across schemas)
    user_id: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(40))
    #: makes delivery idempotent: a retried job inserts nothing twice
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(2000), default="")
    link: Mapped[str | None] = mapped_column(String(255))
    read_at: Mapped[datetime | None]
