"""一人一档: the deputy's file, assembled from every area's records, by year.

The file page knows no area. Each area contributes a *section* through one hook:

    from webapp.deputies.file import FileEntry, file_section

    @file_section("activities", _l("Activities attended"), order=20)
    def attended(deputy_id: int, start: date, end: date) -> list[FileEntry]:
        rows = db.session.execute(select(...).where(... deputy_id ..., date between start and end))
        return [FileEntry(day, title, url_for(...)) for ... in rows]

The function runs inside the bound town, gets the deputy's id and a date range (the
years shown), and returns entries with a date, a title, an optional detail and an optional
link (built only when there is a request: exports in jobs have none). It must issue a fixed number of queries (no query per entry): the file for a deputy
with years of records has to render fast. The page, the XLSX export and the printable view
all come from `assemble()`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db


@dataclass(frozen=True)
class FileEntry:
    day: date
    title: str
    detail: str = ""
    link: str | None = None


@dataclass(frozen=True)
class FileSection:
    key: str
    title: Any
    order: int
    collect: Callable[[int, date, date], list[FileEntry]]


SECTIONS: dict[str, FileSection] = {}


def file_section(key: str, title: Any, *, order: int = 100) -> Callable:
    """Register a section of every deputy's file (see the module docstring)."""

    def decorator(collect: Callable[[int, date, date], list[FileEntry]]):
        SECTIONS[key] = FileSection(key, title, order, collect)
        return collect

    return decorator


@dataclass
class DeputyFile:
    years: list[int]
    #: year -> section key -> entries, newest first
    entries: dict[int, dict[str, list[FileEntry]]] = field(default_factory=dict)

    def count(self, year: int, key: str) -> int:
        return len(self.entries.get(year, {}).get(key, []))

    @property
    def sections(self) -> list[FileSection]:
        return sorted(SECTIONS.values(), key=lambda s: (s.order, s.key))


def assemble(deputy, years: list[int]) -> DeputyFile:
    """Every registered section's entries for `deputy` in `years`, grouped by year."""
    start, end = date(min(years), 1, 1), date(max(years), 12, 31)
    result = DeputyFile(sorted(years, reverse=True))
    grouped: dict[int, dict[str, list[FileEntry]]] = defaultdict(lambda: defaultdict(list))
    for section in sorted(SECTIONS.values(), key=lambda s: (s.order, s.key)):
        for entry in section.collect(deputy.id, start, end):
            if start <= entry.day <= end:
                grouped[entry.day.year][section.key].append(entry)
    for year, sections in grouped.items():
        result.entries[year] = {k: sorted(v, key=lambda e: e.day, reverse=True) for k, v in sections.items()}
    return result


def years_of(deputy, today: date | None = None) -> list[int]:
    """The years a file covers: from the term's start (or the record's creation) to now."""
    today = today or date.today()
    if deputy.term_start:
        first = deputy.term_start.year
    elif deputy.created_at:
        first = deputy.created_at.year
    else:
        first = today.year
    return list(range(min(first, today.year), today.year + 1))


# --- the sections the roster itself provides --------------------------------------------

def _within(start: date, end: date):
    """Log entries in [start, end], by the index on `at` (the town's log only grows)."""
    from datetime import datetime, time, timedelta

    from ..audit.models import TownAuditEntry

    return TownAuditEntry.at.between(datetime.combine(start, time.min).astimezone(),
                                     datetime.combine(end + timedelta(days=1), time.min).astimezone())


@file_section("record", _l("Changes to this record"), order=900)
def _record_history(deputy_id: int, start: date, end: date) -> list[FileEntry]:
    """What the town's log says about the deputy's record (added, changed, left)."""
    from ..audit.models import TownAuditEntry

    rows = db.session.scalars(
        select(TownAuditEntry).where(TownAuditEntry.target.like(f"% #{deputy_id}"),
                                     TownAuditEntry.action.like("deputy.%"), _within(start, end))
        .order_by(TownAuditEntry.at)
    )
    titles = {"deputy.create": _l("Added to the roster"), "deputy.update": _l("Record changed"),
              "deputy.retire": _l("Left"), "deputy.photo": _l("Photo changed")}
    out = []
    for entry in rows:
        detail = ", ".join(sorted(entry.details.get("changes", {}))) if entry.action == "deputy.update" else ""
        out.append(FileEntry(entry.at.date(), str(titles.get(entry.action, entry.action)), detail))
    return out


@file_section("grids", _l("Grid work"), order=800)
def _grids(deputy_id: int, start: date, end: date) -> list[FileEntry]:
    """The grids the deputy is assigned to, dated by the assignment in the town's log."""
    from flask import has_request_context, url_for

    from ..audit.models import TownAuditEntry

    rows = db.session.execute(
        select(TownAuditEntry.at, TownAuditEntry.action, TownAuditEntry.target)
        .where(TownAuditEntry.action.in_(("grid.assign", "grid.unassign")),
               TownAuditEntry.details["deputy"].as_string().like(f"% #{deputy_id}"), _within(start, end))
        .order_by(TownAuditEntry.at)
    ).all()
    out = []
    for at, action, target in rows:
        grid_id = int(target.rsplit("#", 1)[1])
        title = (_l("Assigned to grid %(grid)s", grid=target.rsplit(" #", 1)[0]) if action == "grid.assign"
                 else _l("No longer on grid %(grid)s", grid=target.rsplit(" #", 1)[0]))
        link = url_for("grids.show", grid_id=grid_id) if has_request_context() else None
        out.append(FileEntry(at.date(), str(title), link=link))
    return out
