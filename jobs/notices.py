"""Reminders of overdue supervision notices (督办): the day after a notice's deadline passes
without an answer, and every seven days after that, the town's station admins and staff are
told in-app. Idempotent per person, notice and week of lateness."""

from __future__ import annotations

from datetime import date

from . import platform_job, queue, town_job


@platform_job
def notice_reminders_due(today: str | None = None) -> int:
    """Daily: one reminder job per overdue notice, under a stable id. Returns how many."""
    from sqlalchemy import select

    from tenants.models import Town, TownStatus
    from webapp.committees.models import NoticeState, SupervisionNotice
    from webapp.extensions import db

    day = date.fromisoformat(today) if today else date.today()
    overdue = db.session.execute(
        select(SupervisionNotice.id, SupervisionNotice.town_id).join(Town, Town.id == SupervisionNotice.town_id)
        .where(SupervisionNotice.state.in_((NoticeState.issued, NoticeState.returned)),
               SupervisionNotice.due_on < day, Town.status == TownStatus.active)
    ).all()
    q = queue("notify")
    for notice_id, town_id in overdue:
        job_id = f"notice-overdue-{notice_id}-{day.isoformat()}"
        if q.fetch_job(job_id) is None:
            q.enqueue(notice_overdue, town_id, notice_id, day.isoformat(), job_id=job_id, result_ttl=7 * 86400)
    return len(overdue)


@town_job
def notice_overdue(town_id: int, notice_id: int, today: str) -> int:
    """Remind the town's station admins and staff of one overdue notice (in the town's
    language). Returns how many were reminded now."""
    from flask_babel import gettext as _
    from sqlalchemy import select

    from tenants.models import Town
    from webapp.accounts.models import TownMembership, TownRole
    from webapp.committees.models import SupervisionNotice
    from webapp.extensions import db

    from .notify import deliver

    day = date.fromisoformat(today)
    notice = db.session.get(SupervisionNotice, notice_id)
    if notice is None or notice.town_id != town_id or not notice.overdue(day):
        return 0
    town = db.session.get(Town, town_id)
    week = (day - notice.due_on).days // 7
    staff = db.session.scalars(select(TownMembership.user_id).where(
        TownMembership.town_id == town_id,
        TownMembership.role.in_((TownRole.station_admin, TownRole.staff)))).all()
    late = (day - notice.due_on).days
    return sum(deliver(user_id=user_id, kind="notice", dedupe_key=f"notice-overdue:{notice_id}:{user_id}:{week}",
                       title=_("Overdue supervision notice: %(subject)s", subject=notice.subject[:80]),
                       body=_("The answer was due on %(day)s (%(n)d days ago). The committee sees it as overdue.",
                              day=notice.due_on.isoformat(), n=late),
                       link=f"/t/{town.slug}/notices/{notice_id}") for user_id in sorted(set(staff)))
