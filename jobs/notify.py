"""Notifications. The in-app channel writes into the town's notifications table; other
channels (SMS, WeChat) plug in behind `deliver` per town when later issues add them."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from tenants.models import Town
from webapp.accounts.models import TownMembership, TownRole, User
from webapp.extensions import db
from webapp.notifications.models import Notification

from . import town_job

ROLE_NAMES = {
    TownRole.station_admin: lambda: _("station admin"),
    TownRole.staff: lambda: _("staff"),
    TownRole.deputy: lambda: _("deputy"),
    TownRole.presidium: lambda: _("presidium member"),
}


def deliver(*, user_id: int, kind: str, dedupe_key: str, title: str, body: str = "", link: str | None = None) -> bool:
    """Record one in-app notification in the bound town. Idempotent on `dedupe_key`;
    returns whether it was new."""
    # RETURNING, not rowcount: an ORM-enabled INSERT does not report a row count
    inserted = db.session.execute(
        insert(Notification).values(user_id=user_id, kind=kind, dedupe_key=dedupe_key, title=title,
                                    body=body, link=link)
        .on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(Notification.id)
    ).scalar()
    return inserted is not None


@town_job
def welcome_member(town_id: int, user_id: int, role: str) -> bool:
    """Tell a person they now have `role` in the town (in the town's language). Idempotent."""
    town = db.session.get(Town, town_id)
    user = db.session.get(User, user_id)
    if user is None:
        return False
    role_name = ROLE_NAMES[TownRole(role)]()
    return deliver(
        user_id=user.id, kind="welcome", dedupe_key=f"welcome:{user.id}:{role}",
        title=_("Welcome to the %(station)s liaison station", station=town.name),
        body=_("You have been added as %(role)s. Your tasks and notices will appear here.", role=role_name),
    )


def unread_count(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)))


@town_job
def notice_arrived(town_id: int, notice_id: int) -> int:
    """Tell the town's station admins and staff that a committee's supervision notice arrived.
    Idempotent (one notification per person and notice). Returns how many were told."""
    from webapp.committees.models import SupervisionNotice

    town = db.session.get(Town, town_id)
    notice = db.session.get(SupervisionNotice, notice_id)
    if notice is None or notice.town_id != town_id:
        return 0
    staff = db.session.scalars(select(TownMembership.user_id).where(
        TownMembership.town_id == town_id,
        TownMembership.role.in_((TownRole.station_admin, TownRole.staff)))).all()
    return sum(deliver(user_id=user_id, kind="notice", dedupe_key=f"notice:{notice_id}:{user_id}",
                       title=_("Supervision notice: %(subject)s", subject=notice.subject[:80]),
                       body=_("Answer by %(day)s.", day=notice.due_on.isoformat()),
                       link=f"/t/{town.slug}/notices/{notice_id}") for user_id in sorted(set(staff)))
