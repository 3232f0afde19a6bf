"""Studios (头雁工作室). Callers commit; changes go to the town's log."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record_town
from ..deputies.models import Deputy, DeputyStatus
from ..extensions import db
from .models import Studio


class StudioError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message, self.field = message, field


def create_studio(*, actor, data: dict[str, Any]) -> Studio:
    if db.session.scalar(select(Studio.id).where(Studio.name == data["name"])):
        raise StudioError(_l("There is already a studio called %(name)s.", name=data["name"]), "name")
    villages = "\n".join(v.strip() for v in (data.get("villages") or "").replace("、", "\n").replace(",", "\n")
                         .replace("，", "\n").splitlines() if v.strip())
    studio = Studio(name=data["name"], area=data["area"], villages=villages)
    db.session.add(studio)
    db.session.flush()
    record_town("studio.create", actor=actor, target=f"{studio.name} #{studio.id}", details={"area": studio.area})
    return studio


def add_member(studio: Studio, deputy: Deputy, *, actor) -> bool:
    """Make a serving deputy a member. Idempotent: returns whether anything changed."""
    if deputy.status != DeputyStatus.serving:
        raise StudioError(_l("%(name)s has left and cannot join a studio.", name=deputy.name), "deputy_id")
    if deputy in studio.members:
        return False
    studio.members.append(deputy)
    record_town("studio.member_add", actor=actor, target=f"{studio.name} #{studio.id}",
                details={"deputy": f"{deputy.name} #{deputy.id}"})
    return True


def remove_member(studio: Studio, deputy: Deputy, *, actor) -> bool:
    if deputy not in studio.members:
        return False
    studio.members.remove(deputy)
    record_town("studio.member_remove", actor=actor, target=f"{studio.name} #{studio.id}",
                details={"deputy": f"{deputy.name} #{deputy.id}"})
    return True
