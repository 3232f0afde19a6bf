"""What the five ones put into each deputy's file (一人一档): the briefings, inspections,
half-year reports and annual reviews the deputy took part in, and the supervision groups
they lead or belong to. Two queries per section, whatever the number of records."""

from __future__ import annotations

from datetime import date

from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from werkzeug.routing import BuildError

from ..deputies.file import FileEntry, file_section
from ..extensions import db
from .services import record_kind_labels
from .models import (Project, RecordKind, SupervisionGroup, SupervisionRecord, group_members, record_attendees,
                     record_projects)


def _linker(endpoint: str, arg: str, anchor: str = ""):
    """A function id -> link, or -> None without a request (exports in jobs) or while the
    page does not exist."""
    if not has_request_context() or endpoint not in current_app.view_functions:
        return lambda _id: None

    def link(id_: int) -> str | None:
        try:
            url = url_for(endpoint, **({arg: id_} if arg else {}))
        except BuildError:
            return None
        return url + (f"#{anchor}{id_}" if anchor else "")

    return link


def _names(rows, limit: int = 4) -> dict[int, str]:
    """owner id -> "name, name, name …" from (owner id, name) rows in order."""
    grouped: dict[int, list[str]] = {}
    for owner, name in rows:
        grouped.setdefault(owner, []).append(name)
    return {owner: "、".join(names[:limit]) + ("…" if len(names) > limit else "") for owner, names in grouped.items()}


@file_section("supervision", _l("Key projects: briefings, inspections and reviews attended"), order=40)
def attended(deputy_id: int, start: date, end: date) -> list[FileEntry]:
    rows = db.session.execute(
        select(SupervisionRecord.id, SupervisionRecord.day, SupervisionRecord.kind, SupervisionGroup.name)
        .join(record_attendees, record_attendees.c.record_id == SupervisionRecord.id)
        .outerjoin(SupervisionGroup, SupervisionGroup.id == SupervisionRecord.group_id)
        .where(record_attendees.c.deputy_id == deputy_id, SupervisionRecord.day.between(start, end))).all()
    if not rows:
        return []
    projects = _names(db.session.execute(
        select(record_projects.c.record_id, Project.name).join(Project, Project.id == record_projects.c.project_id)
        .where(record_projects.c.record_id.in_([r[0] for r in rows]))
        .order_by(record_projects.c.record_id, Project.name)).all())
    labels = record_kind_labels()
    # an annual review has its own page (the votes); the other records, the record's page
    links = {kind: _linker("projects.review_show", "review_id") if kind == RecordKind.annual_review
             else _linker("projects.record", "record_id") for kind in RecordKind}
    out = []
    for record_id, day, kind, group in rows:
        title = f"{labels[kind.value]} · {group}" if group else str(labels[kind.value])
        out.append(FileEntry(day, title, projects.get(record_id, ""), links[kind](record_id)))
    return out


@file_section("supervision_groups", _l("Supervision groups"), order=41)
def groups(deputy_id: int, start: date, end: date) -> list[FileEntry]:
    """The groups the deputy leads or belongs to now, with the group's projects of the
    current year (the roster of a group keeps no history: it shows under this year)."""
    today = date.today()
    if not start <= today <= end:
        return []
    rows = db.session.execute(
        select(SupervisionGroup.id, SupervisionGroup.name, SupervisionGroup.leader_deputy_id)
        .where(SupervisionGroup.active, or_(
            SupervisionGroup.leader_deputy_id == deputy_id,
            SupervisionGroup.id.in_(select(group_members.c.group_id).where(group_members.c.deputy_id == deputy_id))))
        .order_by(SupervisionGroup.position, SupervisionGroup.id)).all()
    if not rows:
        return []
    projects = _names(db.session.execute(
        select(Project.group_id, Project.name).where(Project.group_id.in_([r[0] for r in rows]),
                                                     Project.year == today.year)
        .order_by(Project.group_id, Project.name)).all(), limit=6)
    link = _linker("projects.groups", "", anchor="group-")
    out = []
    for group_id, name, leader in rows:
        title = _l("Leads %(group)s", group=name) if leader == deputy_id else _l("Member of %(group)s", group=name)
        out.append(FileEntry(today, str(title), projects.get(group_id, ""), link(group_id)))
    return out

