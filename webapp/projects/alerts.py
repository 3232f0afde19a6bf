"""Checkpoint alerts (issue #6, item 4): when a supervision group misses an expected briefing
or inspection, or a finding of the rectification ledger passes its deadline, the town's
staff and the group's leader are told, once.

Once means once per missed period and once per finding and deadline: the in-app notices
carry a dedupe key (the missed checkpoint's `Missed.key`, the finding's id and deadline,
and the recipient), so the daily job may run any number of times. A finding given a new
deadline that it misses again is alerted again. Callers commit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from .models import Finding, FindingState, Project, RecordKind, SupervisionGroup, SupervisionRecord
from .services import Missed, missed_checkpoints


@dataclass
class Alerted:
    missed: int = 0  #: missed periods someone was told about for the first time
    overdue: int = 0  #: overdue findings someone was told about for the first time
    notices: int = 0  #: notices delivered

    @property
    def total(self) -> int:
        return self.missed + self.overdue


def _what(kind: RecordKind):
    return {RecordKind.briefing: _l("monthly briefing"), RecordKind.inspection: _l("quarterly inspection"),
            RecordKind.half_year_report: _l("half-year report"), RecordKind.annual_review: _l("annual review")}[kind]


def period_label(missed: Missed) -> str:
    """The period a checkpoint was due in, as people say it: 2026-10, Q3 2026, H1 2026, 2026."""
    n = missed.period + 1
    if missed.cadence == "monthly":
        return f"{missed.year}-{n:02d}"
    if missed.cadence == "quarterly":
        return str(_l("Q%(n)d %(year)d", n=n, year=missed.year))
    if missed.cadence == "half_yearly":
        return str(_l("H%(n)d %(year)d", n=n, year=missed.year))
    return str(missed.year)


def _staff(town) -> list[int]:
    from ..accounts.models import TownMembership, TownRole

    return sorted(set(db.session.scalars(select(TownMembership.user_id).where(
        TownMembership.town_id == town.id, TownMembership.role.in_((TownRole.station_admin, TownRole.staff))))))


def _leaders() -> dict[int, int]:
    """group id -> the user id of its leader's account (groups whose leader has one)."""
    from ..deputies.models import Deputy

    return dict(db.session.execute(
        select(SupervisionGroup.id, Deputy.user_id).join(Deputy, Deputy.id == SupervisionGroup.leader_deputy_id)
        .where(Deputy.user_id.is_not(None))).all())


def _recipients(staff: list[int], leader: int | None) -> list[int]:
    return staff + [leader] if leader is not None and leader not in staff else list(staff)


def alert_missed(town, today: date, *, staff: list[int], leaders: dict[int, int]) -> tuple[int, int]:
    """Tell about every checkpoint missed this year (in January, last year's too: December's
    briefing is missed only on New Year's Day). Returns (periods newly told, notices)."""
    from jobs.notify import deliver

    years = [today.year - 1, today.year] if today.month == 1 else [today.year]
    missed = [m for year in years for m in missed_checkpoints(town, year, today)]
    if not missed:
        return 0, 0
    names = dict(db.session.execute(select(SupervisionGroup.id, SupervisionGroup.name)
                                    .where(SupervisionGroup.id.in_({m.group_id for m in missed}))).all())
    told = notices = 0
    for m in missed:
        what, period, group = _what(m.kind), period_label(m), names.get(m.group_id, "—")
        title = _l("Missed: %(group)s held no %(what)s in %(period)s", group=group, what=what, period=period)
        body = _l("The supervision group %(group)s was expected to hold a %(what)s in %(period)s and none is "
                  "recorded. Arrange it with the group leader, or record it if it took place.",
                  group=group, what=what, period=period)
        sent = sum(deliver(user_id=user_id, kind="checkpoint_missed", dedupe_key=f"checkpoint:{m.key}:{user_id}",
                           title=str(title)[:200], body=str(body), link=f"/t/{town.slug}/projects/?year={m.year}")
                   for user_id in _recipients(staff, leaders.get(m.group_id)))
        told += bool(sent)
        notices += sent
    return told, notices


def alert_overdue(town, today: date, *, staff: list[int], leaders: dict[int, int]) -> tuple[int, int]:
    """Tell about every finding past its deadline and not rectified. Returns (findings newly
    told, notices)."""
    from jobs.notify import deliver

    from ..opinions.models import ResponsibleUnit

    rows = db.session.execute(
        select(Finding.id, Finding.description, Finding.due_on, SupervisionRecord.day,
               SupervisionRecord.group_id, Project.group_id, Project.name, ResponsibleUnit.name)
        .join(SupervisionRecord, SupervisionRecord.id == Finding.record_id)
        .outerjoin(Project, Project.id == Finding.project_id)
        .outerjoin(ResponsibleUnit, ResponsibleUnit.id == Finding.unit_id)
        .where(Finding.state.in_((FindingState.found, FindingState.assigned)), Finding.due_on < today)
        .order_by(Finding.due_on, Finding.id)).all()
    told = notices = 0
    for finding_id, description, due_on, found_on, record_group, project_group, project, unit in rows:
        group_id = record_group or project_group
        title = _l("Rectification overdue: %(what)s (No. %(id)d)", what=description[:40], id=finding_id)
        body = _l("%(unit)s was to rectify this by %(due)s. Found at the inspection of %(day)s (project: %(project)s).",
                  unit=unit or "—", due=due_on.isoformat(), day=found_on.isoformat(), project=project or "—")
        sent = sum(deliver(user_id=user_id, kind="finding_overdue",
                           dedupe_key=f"finding-overdue:{finding_id}:{due_on.isoformat()}:{user_id}",
                           title=str(title)[:200], body=str(body)[:2000],
                           link=f"/t/{town.slug}/projects/findings/{finding_id}")
                   for user_id in _recipients(staff, leaders.get(group_id)))
        told += bool(sent)
        notices += sent
    return told, notices


def checkpoint_alerts(town, today: date, report: Callable[[int, int, str], None] | None = None) -> Alerted:
    """Both kinds of alert for the bound town on `today` (a fixed number of queries besides
    one insert per notice). Idempotent: a second run tells nobody again."""
    report = report or (lambda done, total, step: None)
    staff, leaders = _staff(town), _leaders()
    out = Alerted()
    report(0, 2, "missed checkpoints")
    out.missed, sent = alert_missed(town, today, staff=staff, leaders=leaders)
    out.notices += sent
    report(1, 2, "overdue findings")
    out.overdue, sent = alert_overdue(town, today, staff=staff, leaders=leaders)
    out.notices += sent
    report(2, 2, "done")
    db.session.flush()
    return out
