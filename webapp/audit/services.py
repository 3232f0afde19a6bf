"""Writing the two audit logs. Callers commit."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from ..extensions import db
from .models import PlatformAuditEntry, TownAuditEntry


def _ip() -> str | None:
    return request.remote_addr if has_request_context() else None


def record_platform(action: str, *, actor=None, town_id: int | None = None, committee_id: int | None = None,
                    target: str | None = None, details: dict[str, Any] | None = None) -> None:
    db.session.add(PlatformAuditEntry(
        action=action, actor_id=getattr(actor, "id", None), town_id=town_id, committee_id=committee_id,
        target=target, details=details or {}, ip=_ip(),
    ))


def record_town(action: str, *, actor=None, target: str | None = None, details: dict[str, Any] | None = None) -> None:
    """Into the bound town's own log (the session must be bound)."""
    if target and len(target) > 128:  # keep the " #id" end, which the deputy's file reads
        target = target[:60] + "…" + target[-67:]
    db.session.add(TownAuditEntry(
        action=action, actor_id=getattr(actor, "id", None), actor_name=getattr(actor, "display_name", None),
        target=target, details=details or {},
    ))
