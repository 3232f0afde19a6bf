"""Activities: creating them with invitations, check-in (by QR or by staff), minutes, files,
and the town's cadence (what the settings expect against what was held). Callers commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.services import record_town
from ..deputies.models import Deputy, DeputyStatus
from ..extensions import db
from ..uploads import UploadRefused, check_upload
from .models import Activity, ActivityFile, ActivityInvitee, ActivityType, Cadence

class ActivityError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message, self.field = message, field


def create_activity(*, actor, data: dict[str, Any]) -> Activity:
    kind = db.session.get(ActivityType, data["type_id"])
    if kind is None or not kind.active:
        raise ActivityError(_l("Choose the kind of activity."), "type_id")
    activity = Activity(type=kind, theme=data["theme"], day=data["day"], place=data.get("place"),
                        organiser=data.get("organiser"), checkin_token=secrets.token_urlsafe(16))
    invitees = db.session.scalars(select(Deputy).where(Deputy.id.in_(data.get("invitee_ids") or []),
                                                       Deputy.status == DeputyStatus.serving)).all()
    activity.invitees = [ActivityInvitee(deputy_id=d.id, invited=True) for d in invitees]
    db.session.add(activity)
    db.session.flush()
    record_town("activity.create", actor=actor, target=f"{activity.theme[:100]} #{activity.id}",
                details={"type": kind.code, "day": activity.day.isoformat(), "invited": len(invitees)})
    return activity


def check_in(activity: Activity, deputy: Deputy, *, by: str, actor) -> bool:
    """Record that the deputy came. Idempotent: a second check-in changes nothing (False)."""
    row = next((i for i in activity.invitees if i.deputy_id == deputy.id), None)
    if row is not None and row.checked_in_at is not None:
        return False
    if row is None:  # walked in without an invitation
        row = ActivityInvitee(deputy_id=deputy.id, invited=False)
        activity.invitees.append(row)
    row.checked_in_at, row.checked_in_by = datetime.now(UTC), by
    record_town("activity.checkin", actor=actor, target=f"{activity.theme[:100]} #{activity.id}",
                details={"deputy": f"{deputy.name} #{deputy.id}", "by": by})
    return True


def save_minutes(activity: Activity, *, actor, data: dict[str, Any]) -> None:
    """The minutes, outcomes and figures; for study sessions also trainees and who lectured
    (lecturers are among the activity's deputies)."""
    for key in ("minutes", "outcomes", "opinions_raised", "problems_solved", "trainees"):
        setattr(activity, key, data.get(key))
    lecturers = set(data.get("lecturer_ids") or [])
    for invitee in activity.invitees:
        invitee.lecturer = invitee.deputy_id in lecturers
    record_town("activity.minutes", actor=actor, target=f"{activity.theme[:100]} #{activity.id}")


def add_file(activity: Activity, *, actor, filename: str, content: bytes) -> ActivityFile:
    """Keep a photo or document, if it is one of the accepted kinds and not too large."""
    try:
        mimetype = check_upload(filename, content)
    except UploadRefused as err:
        raise ActivityError(err.message, "file") from err
    stored = ActivityFile(activity=activity, filename=filename[-200:], mimetype=mimetype, size=len(content),
                          content=content)
    db.session.add(stored)
    record_town("activity.file", actor=actor, target=f"{activity.theme[:100]} #{activity.id}",
                details={"file": filename[-100:], "bytes": len(content)})
    return stored


def add_type(*, actor, data: dict[str, Any]) -> ActivityType:
    if db.session.scalar(select(ActivityType.id).where(ActivityType.code == data["code"])):
        raise ActivityError(_l("A kind with the code %(code)s already exists.", code=data["code"]), "code")
    position = (db.session.scalar(select(func.max(ActivityType.position))) or 0) + 1
    kind = ActivityType(code=data["code"], name=data["name"], name_en=data.get("name_en"), cadence=data["cadence"],
                        expected_per_period=data.get("expected", 1), position=position, active=True)
    db.session.add(kind)
    record_town("activity_type.create", actor=actor, target=kind.code,
                details={"cadence": kind.cadence.value, "expected": kind.expected_per_period})
    return kind


def update_types(kinds: list[ActivityType], *, actor, form) -> None:
    """Cadence, expected count and whether in use, for every kind at once (the settings form)."""
    from marshmallow import ValidationError

    changes = {}
    for kind in kinds:
        cadence_value = form.get(f"cadence_{kind.id}", kind.cadence.value)
        expected_raw = (form.get(f"expected_{kind.id}") or "").strip()
        if cadence_value not in Cadence.__members__:
            raise ValidationError({f"cadence_{kind.id}": [str(_l("Choose how often."))]})
        if not expected_raw.isdigit() or int(expected_raw) > 10:
            raise ValidationError({f"expected_{kind.id}": [str(_l("Between 0 and 10."))]})
        new = (Cadence(cadence_value), int(expected_raw), form.get(f"active_{kind.id}") == "on")
        old = (kind.cadence, kind.expected_per_period, kind.active)
        if new != old:
            changes[kind.code] = [[old[0].value, old[1], old[2]], [new[0].value, new[1], new[2]]]
            kind.cadence, kind.expected_per_period, kind.active = new
    if changes:
        record_town("activity_type.update", actor=actor, target="activity_types", details={"changes": changes})


# --- the cadence: expected against held ----------------------------------------------------

PERIODS = {Cadence.weekly: 52, Cadence.monthly: 12, Cadence.quarterly: 4, Cadence.half_yearly: 2, Cadence.yearly: 1}


def period_of(cadence: Cadence, day: date) -> int:
    """Which period of its year a day falls in (0-based) for a cadence."""
    if cadence == Cadence.weekly:
        return min((day.timetuple().tm_yday - 1) // 7, 51)
    if cadence == Cadence.monthly:
        return day.month - 1
    if cadence == Cadence.quarterly:
        return (day.month - 1) // 3
    if cadence == Cadence.half_yearly:
        return (day.month - 1) // 6
    return 0


@dataclass
class CadenceRow:
    kind: ActivityType
    periods: int  #: periods of the year so far
    expected: int
    held: int
    met: int  #: periods that had at least the expected number

    @property
    def ratio(self) -> float:
        return self.met / self.periods if self.periods else 1.0


def cadence(year: int, today: date | None = None) -> list[CadenceRow]:
    """Per activity type with a cadence: expected per period against held, for the periods
    of `year` up to today. Reception days count for the `reception_day` type. The city
    rollups (issue #8) use this same computation."""
    from ..receptions.models import ReceptionDay

    today = today or date.today()
    end = min(date(year, 12, 31), today)
    if end < date(year, 1, 1):
        return []
    held: dict[int, list[date]] = {}
    for type_id, day in db.session.execute(
            select(Activity.type_id, Activity.day).where(Activity.day.between(date(year, 1, 1), end))):
        held.setdefault(type_id, []).append(day)
    reception_days = list(db.session.scalars(select(ReceptionDay.day).where(
        ReceptionDay.held, ReceptionDay.day.between(date(year, 1, 1), end))))
    rows = []
    for kind in db.session.scalars(select(ActivityType).where(ActivityType.active).order_by(ActivityType.position)):
        if kind.cadence == Cadence.as_needed:
            continue
        days = held.get(kind.id, []) + (reception_days if kind.code == "reception_day" else [])
        periods = period_of(kind.cadence, end) + 1
        counts = [0] * periods
        for day in days:
            counts[period_of(kind.cadence, day)] += 1
        rows.append(CadenceRow(kind, periods, periods * kind.expected_per_period, len(days),
                               sum(1 for c in counts if c >= kind.expected_per_period)))
    return rows
