"""What activities put into each deputy's file (一人一档): the ones they attended."""

from __future__ import annotations

from datetime import date

from flask import has_request_context, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..deputies.file import FileEntry, file_section
from ..extensions import db
from .models import Activity, ActivityInvitee, ActivityType


@file_section("activities", _l("Activities attended"), order=20)
def attended(deputy_id: int, start: date, end: date) -> list[FileEntry]:
    rows = db.session.execute(
        select(Activity.id, Activity.day, Activity.theme, ActivityType.name, ActivityInvitee.checked_in_by)
        .join(ActivityInvitee, ActivityInvitee.activity_id == Activity.id)
        .join(ActivityType, ActivityType.id == Activity.type_id)
        .where(ActivityInvitee.deputy_id == deputy_id, ActivityInvitee.checked_in_at.is_not(None),
               Activity.day.between(start, end))
    ).all()
    link = has_request_context()
    return [FileEntry(day, f"{kind}：{theme}", link=url_for("activities.show", activity_id=id_) if link else None)
            for id_, day, theme, kind, _by in rows]
