"""The roster's rules: adding, editing and retiring deputies, and finding them. Callers commit.
Every change is written to the town's audit log with what changed."""

from __future__ import annotations

from datetime import date
from typing import Any

from pypinyin import Style, lazy_pinyin
from sqlalchemy import Select, case, or_, select

from ..audit.services import record_town
from ..extensions import db
from .models import Deputy, DeputyLevel, DeputyStatus

FIELDS = ("name", "gender", "ethnicity", "birth_year", "party", "occupation", "sector", "phone", "phone_public",
          "constituency", "level", "term_start", "term_end")


def pinyin_of(name: str) -> str:
    """赵国强 -> "zhaoguoqiang zgq": what a search box on a phone can match."""
    full = "".join(lazy_pinyin(name)).lower()
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()
    return f"{full} {initials}"


def _plain(value: Any) -> Any:
    return getattr(value, "value", value.isoformat() if isinstance(value, date) else value)


def create_deputy(*, actor, data: dict[str, Any]) -> Deputy:
    """Add a deputy to the bound town's roster."""
    deputy = Deputy(**{k: data.get(k) for k in FIELDS}, name_pinyin=pinyin_of(data["name"]),
                    status=DeputyStatus.serving)
    if deputy.phone_public is None:
        deputy.phone_public = False
    db.session.add(deputy)
    db.session.flush()
    record_town("deputy.create", actor=actor, target=f"{deputy.name} #{deputy.id}",
                details={k: _plain(v) for k in FIELDS if (v := getattr(deputy, k)) not in (None, False)})
    return deputy


def update_deputy(deputy: Deputy, *, actor, data: dict[str, Any]) -> dict[str, list]:
    """Change the given fields; returns {field: [before, after]} for what really changed.
    Raises ValidationError when the term would end before it starts (a partial change can
    meet the other end of the term already stored)."""
    start = data.get("term_start", deputy.term_start) if "term_start" in data else deputy.term_start
    end = data.get("term_end", deputy.term_end) if "term_end" in data else deputy.term_end
    if start and end and end < start:
        from flask_babel import lazy_gettext as _l
        from marshmallow import ValidationError

        raise ValidationError({"term_end": [str(_l("The term cannot end before it starts."))]})
    changes = {}
    for key in FIELDS:
        if key in data and getattr(deputy, key) != data[key]:
            changes[key] = [_plain(getattr(deputy, key)), _plain(data[key])]
            setattr(deputy, key, data[key])
    if "name" in changes:
        deputy.name_pinyin = pinyin_of(deputy.name)
    if changes:
        record_town("deputy.update", actor=actor, target=f"{deputy.name} #{deputy.id}", details={"changes": changes})
    return changes


def retire_deputy(deputy: Deputy, *, actor, left_on: date | None = None) -> bool:
    """Mark a deputy as having left (the record stays, with its history). Idempotent."""
    if deputy.status == DeputyStatus.left:
        return False
    deputy.status = DeputyStatus.left
    deputy.left_on = left_on or date.today()
    record_town("deputy.retire", actor=actor, target=f"{deputy.name} #{deputy.id}",
                details={"left_on": deputy.left_on.isoformat()})
    return True


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def roster_query(*, q: str | None = None, level: str | None = None, constituency: str | None = None,
                 status: str | None = "serving", grid: int | str | None = None) -> Select:
    """Deputies matching the filters: `q` matches the name, its pinyin or its initials;
    `grid` keeps the deputies assigned to that grid."""
    from ..grids.models import grid_deputies

    query = select(Deputy)
    if grid and str(grid).isdigit():
        query = query.where(Deputy.id.in_(select(grid_deputies.c.deputy_id).where(grid_deputies.c.grid_id == int(grid))))
    if q:
        term = q.strip().lower().replace(" ", "")
        query = query.where(or_(Deputy.name.ilike(_like(q.strip())), Deputy.name_pinyin.like(_like(term))))
    if level in DeputyLevel.__members__:
        query = query.where(Deputy.level == DeputyLevel(level))
    if constituency:
        query = query.where(Deputy.constituency == constituency)
    if status in DeputyStatus.__members__:
        query = query.where(Deputy.status == DeputyStatus(status))
    by_level = case(*((Deputy.level == level_, n) for n, level_ in enumerate(DeputyLevel)))
    return query.order_by(by_level, Deputy.name_pinyin, Deputy.id)


def constituencies() -> list[str]:
    return list(db.session.scalars(select(Deputy.constituency).where(Deputy.constituency.is_not(None))
                                   .distinct().order_by(Deputy.constituency)))


PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
MAX_PHOTO_BYTES = 2 * 1024 * 1024


class PhotoError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def set_photo(deputy: Deputy, *, actor, content: bytes) -> None:
    """Store the deputy's photo (JPEG or PNG, at most 2 MB), replacing any earlier one."""
    from flask_babel import lazy_gettext as _l

    from .models import DeputyPhoto

    if len(content) > MAX_PHOTO_BYTES:
        raise PhotoError(_l("The photo may be at most 2 MB."))
    mimetype = next((m for magic, m in PHOTO_TYPES.items() if content.startswith(magic)), None)
    if mimetype is None:
        raise PhotoError(_l("The photo must be a JPEG or PNG image."))
    photo = db.session.get(DeputyPhoto, deputy.id) or DeputyPhoto(deputy_id=deputy.id)
    photo.mimetype, photo.content = mimetype, content
    db.session.add(photo)
    record_town("deputy.photo", actor=actor, target=f"{deputy.name} #{deputy.id}", details={"bytes": len(content)})


def photo_of(deputy_id: int):
    from .models import DeputyPhoto

    return db.session.get(DeputyPhoto, deputy_id)


def has_photo(deputy_id: int) -> bool:
    """Whether there is a photo, without loading it."""
    from sqlalchemy import exists

    from .models import DeputyPhoto

    return bool(db.session.scalar(select(exists().where(DeputyPhoto.deputy_id == deputy_id))))
