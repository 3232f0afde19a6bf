"""The reception-day rule, the schedule and the annual rota. Callers commit; changes go to
the town's log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..audit.services import record_town
from ..deputies.models import Deputy, DeputyLevel, DeputyStatus
from ..extensions import db
from .calendar import year_schedule
from .models import ReceptionDay, Response, RotaEntry


class RotaError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message, self.field = message, field


def save_rule(town, *, actor, rule: dict[str, Any]) -> None:
    """Store the town's reception-day rule in its settings (the platform row)."""
    before = (town.settings or {}).get("reception_day", {})
    town.settings = {**(town.settings or {}), "reception_day": rule}
    record_town("reception.rule", actor=actor, target="reception_day", details={"before": before, "after": rule})


def days_of(year: int) -> list[ReceptionDay]:
    return list(db.session.scalars(
        select(ReceptionDay).options(selectinload(ReceptionDay.deputies))
        .where(ReceptionDay.day.between(date(year, 1, 1), date(year, 12, 31))).order_by(ReceptionDay.day)))


def generate_rota(town, year: int, *, actor, extra_deputy_ids: list[int] = ()) -> list[ReceptionDay]:
    """Lay out `year`: twelve reception days by the town's rule, every serving town deputy on
    duty at least once with the load even (months differ by one deputy at most), plus the
    chosen county/prefecture deputies spread the same way. Locked months are kept as they
    are; running it again replaces the rest. Raises RotaError when nobody can be scheduled."""
    rule = (town.settings or {}).get("reception_day") or {}
    if not rule:
        raise RotaError(_l("Set the reception-day rule first."), "rule")
    town_deputies = list(db.session.scalars(
        select(Deputy).where(Deputy.level == DeputyLevel.town, Deputy.status == DeputyStatus.serving)
        .order_by(Deputy.constituency, Deputy.name_pinyin, Deputy.id)))
    if not town_deputies:
        raise RotaError(_l("There is no serving town deputy to put on the rota."), "year")
    extras = list(db.session.scalars(
        select(Deputy).where(Deputy.id.in_(list(extra_deputy_ids)), Deputy.status == DeputyStatus.serving,
                             Deputy.level != DeputyLevel.town).order_by(Deputy.level, Deputy.name_pinyin)))
    existing = {d.day.month: d for d in days_of(year)}
    locked = {m for m, d in existing.items() if d.locked}
    kept = {dep.id for m in locked for dep in existing[m].deputies}
    open_months = [m for m in range(1, 13) if m not in locked]
    schedule = year_schedule(rule, year)
    plan: dict[int, list[Deputy]] = {m: [] for m in open_months}
    if open_months:
        for n, deputy in enumerate(d for d in town_deputies if d.id not in kept):
            plan[open_months[n % len(open_months)]].append(deputy)
        for n, deputy in enumerate(d for d in extras if d.id not in kept):
            plan[open_months[(len(open_months) - 1 - n) % len(open_months)]].append(deputy)
    for month in open_months:
        day = existing.get(month)
        if day is None:
            day = ReceptionDay(day=schedule[month - 1])
            db.session.add(day)
        day.day = schedule[month - 1]
        day.starts, day.ends = rule.get("start"), rule.get("end")
        day.place = rule.get("place")
        day.deputies = plan[month]
    db.session.flush()
    record_town("reception.rota", actor=actor, target=str(year),
                details={"town_deputies": len(town_deputies), "extras": [d.id for d in extras],
                         "locked_months": sorted(locked)})
    return days_of(year)


def set_locked(day: ReceptionDay, locked: bool, *, actor) -> None:
    if day.locked != locked:
        day.locked = locked
        record_town("reception.lock" if locked else "reception.unlock", actor=actor, target=day.day.isoformat())


def swap(day: ReceptionDay, *, actor, remove_id: int | None, add_id: int | None) -> None:
    """Take one deputy off a day and/or put another on it (not on a locked day)."""
    if day.locked:
        raise RotaError(_l("This month is locked. Unlock it to change who is on duty."), "deputy")
    changes = {}
    if remove_id:
        leaving = next((d for d in day.deputies if d.id == remove_id), None)
        if leaving is not None:
            day.deputies.remove(leaving)
            changes["removed"] = f"{leaving.name} #{leaving.id}"
    if add_id:
        coming = db.session.get(Deputy, add_id)
        if coming is None or coming.status != DeputyStatus.serving:
            raise RotaError(_l("Choose a serving deputy."), "deputy")
        if coming not in day.deputies:
            day.deputies.append(coming)
            changes["added"] = f"{coming.name} #{coming.id}"
    if changes:
        record_town("reception.swap", actor=actor, target=day.day.isoformat(), details=changes)


def next_reception(today: date | None = None) -> ReceptionDay | None:
    today = today or date.today()
    return db.session.scalars(select(ReceptionDay).options(selectinload(ReceptionDay.deputies))
                              .where(ReceptionDay.day >= today).order_by(ReceptionDay.day).limit(1)).first()


def entries_of(day: ReceptionDay) -> dict[int, RotaEntry]:
    return {e.deputy_id: e for e in db.session.scalars(select(RotaEntry).where(RotaEntry.reception_day_id == day.id))}


def notify_day(town, day: ReceptionDay, *, now: datetime | None = None) -> int:
    """Tell every deputy on duty who has not been told yet, through the town's channels, and
    note when and how. Idempotent: returns how many were told this time."""
    from flask_babel import format_date
    from flask_babel import gettext as _

    from ..notifications.notifier import channels_for

    now = now or datetime.now(UTC)
    channels = channels_for(town)
    told = 0
    entries = entries_of(day)
    for deputy in day.deputies:
        entry = entries.get(deputy.id)
        if entry is None or entry.notified_at is not None:
            continue
        title = _("Reception day on %(day)s: you are on duty", day=format_date(day.day, "full"))
        body = _("%(time)s at %(place)s. Please confirm or decline in Liaison, or tell the station.",
                 time=f"{day.starts or ''}–{day.ends or ''}", place=day.place or town.name)
        used = [c.key for c in channels
                if c.send(deputy=deputy, title=title, body=body, dedupe_key=f"reception:{day.day}:{deputy.id}")]
        entry.notified_at, entry.notified_by = now, ",".join(used)
        told += 1
    if told:
        record_town("reception.notice", actor=None, target=day.day.isoformat(), details={"told": told})
    return told


def days_due_for_notice(today: date, ahead: int = 7) -> list[ReceptionDay]:
    """Days in the coming week with someone on duty not yet told (a missed run catches up)."""
    return list(db.session.scalars(
        select(ReceptionDay).options(selectinload(ReceptionDay.deputies))
        .where(ReceptionDay.day.between(today, today + timedelta(days=ahead)))
        .where(ReceptionDay.id.in_(select(RotaEntry.reception_day_id).where(RotaEntry.notified_at.is_(None))))
        .order_by(ReceptionDay.day)))


def respond(day: ReceptionDay, deputy: Deputy, answer: Response, *, actor) -> None:
    """The deputy's answer to the notice (they can change their mind until the day)."""
    entry = entries_of(day).get(deputy.id)
    if entry is None:
        raise RotaError(_l("You are not on duty that day."), "day")
    if day.day < date.today():
        raise RotaError(_l("This reception day has passed."), "day")
    if entry.response != answer:
        entry.response, entry.responded_at = answer, datetime.now(UTC)
        record_town("reception.response", actor=actor, target=day.day.isoformat(),
                    details={"deputy": f"{deputy.name} #{deputy.id}", "response": answer.value})


def record_day(day: ReceptionDay, *, actor, attended_ids: set[int], constituents: int | None,
               notes: str | None) -> None:
    """What happened on the day: who came, how many constituents were received."""
    entries = entries_of(day)
    for deputy_id, entry in entries.items():
        entry.attended = deputy_id in attended_ids
    day.held, day.constituents_received, day.notes = True, constituents, notes
    record_town("reception.record", actor=actor, target=day.day.isoformat(),
                details={"attended": sorted(attended_ids & set(entries)), "constituents": constituents})
