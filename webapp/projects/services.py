"""Supervision groups (the spine's part of the projects area). Callers commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record_town
from ..extensions import db
from .models import SupervisionGroup


class GroupError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message, self.field = message, field


def create_group(*, actor, data: dict) -> SupervisionGroup:
    """Add a supervision group to the bound town. The code must be new in the town."""
    if db.session.scalar(select(SupervisionGroup.id).where(SupervisionGroup.code == data["code"])):
        raise GroupError(_l("A group with the code %(code)s already exists.", code=data["code"]), "code")
    group = SupervisionGroup(code=data["code"], name=data["name"], name_en=data.get("name_en"),
                             description=data.get("description"), position=data.get("position", 0), active=True)
    db.session.add(group)
    db.session.flush()
    record_town("group.create", actor=actor, target=group.code)
    return group
