"""iCalendar feeds a phone calendar subscribes to: the town's reception days, and each
deputy's own duty days. The address carries a secret; changing it (a new link) ends old
subscriptions."""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .models import ReceptionDay, rota_entries


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Liaison 联络站云//reception days//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    return cal


def _event(town, day: ReceptionDay, description: str) -> Event:
    zone = ZoneInfo(town.timezone or "Asia/Shanghai")
    event = Event()
    event.add("uid", f"reception-{day.id}@{town.slug}.liaison")
    event.add("summary", _("Reception day: %(town)s deputies' liaison station", town=town.name))
    if day.starts and day.ends:
        start = datetime.combine(day.day, time.fromisoformat(day.starts), zone)
        event.add("dtstart", start)
        event.add("dtend", datetime.combine(day.day, time.fromisoformat(day.ends), zone))
    else:
        event.add("dtstart", day.day)
        event.add("dtend", day.day + timedelta(days=1))
    if day.place:
        event.add("location", day.place)
    event.add("description", description)
    event.add("dtstamp", datetime.now(ZoneInfo("UTC")))
    return event


def town_feed(town) -> bytes:
    cal = _calendar(_("%(town)s reception days", town=town.name))
    days = db.session.scalars(select(ReceptionDay).options(selectinload(ReceptionDay.deputies))
                              .order_by(ReceptionDay.day)).all()
    for day in days:
        names = "、".join(d.name for d in day.deputies)
        cal.add_component(_event(town, day, _("Deputies on duty: %(names)s", names=names)))
    return cal.to_ical()


def deputy_feed(town, deputy) -> bytes:
    cal = _calendar(_("%(name)s: reception duty and activities", name=deputy.name))
    days = db.session.scalars(
        select(ReceptionDay).join(rota_entries, rota_entries.c.reception_day_id == ReceptionDay.id)
        .where(rota_entries.c.deputy_id == deputy.id).order_by(ReceptionDay.day)).all()
    for day in days:
        cal.add_component(_event(town, day, _("You are on duty.")))
    from ..activities.models import Activity, ActivityInvitee

    activities = db.session.scalars(
        select(Activity).options(selectinload(Activity.type)).join(ActivityInvitee)
        .where(ActivityInvitee.deputy_id == deputy.id).order_by(Activity.day)).all()
    for activity in activities:
        event = Event()
        event.add("uid", f"activity-{activity.id}@{town.slug}.liaison")
        event.add("summary", f"{activity.type.name}：{activity.theme}")
        event.add("dtstart", activity.day)
        event.add("dtend", activity.day + timedelta(days=1))
        if activity.place:
            event.add("location", activity.place)
        event.add("dtstamp", datetime.now(ZoneInfo("UTC")))
        cal.add_component(event)
    return cal.to_ical()
