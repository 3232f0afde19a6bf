"""A town's workspace: home, the station's configuration, members, notifications, its log."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from jobs import enqueue_after_commit
from jobs.notify import welcome_member

from ..access import ALL_TOWN_ROLES, requires, town_blueprint
from ..accounts.models import TownMembership, TownRole, User
from ..accounts.schemas import MemberCreateSchema, clean_form, first_errors
from ..accounts.services import AccountError, add_member, remove_member
from ..activities.models import ActivityType
from ..audit.models import TownAuditEntry
from ..evaluations.models import EvaluationTemplate
from ..extensions import db
from ..notifications.models import Notification
from ..projects.models import SupervisionGroup
from . import bp
from .services import reception_rule_text


town_blueprint(bp)


def _notifications(limit: int = 5):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == current_user.id)
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc()).limit(limit)
    ).all()


@bp.get("/")
@requires(*ALL_TOWN_ROLES, committee=True)
def home():
    groups = db.session.scalars(select(SupervisionGroup).where(SupervisionGroup.active)
                                .order_by(SupervisionGroup.position)).all()
    activity_types = db.session.scalars(select(ActivityType).where(ActivityType.active)
                                        .order_by(ActivityType.position)).all()
    member_count = db.session.scalar(
        select(db.func.count(db.distinct(TownMembership.user_id))).where(TownMembership.town_id == g.town.id))
    first_run = None
    if g.access.has(TownRole.station_admin):
        from ..onboarding.town_views import first_run_steps

        steps = first_run_steps()
        first_run = {"done": sum(s["done"] for s in steps), "total": len(steps)}
    return render_template(
        "towns/home.html", groups=groups, activity_types=activity_types, member_count=member_count,
        reception=reception_rule_text(g.town.settings.get("reception_day", {})),
        notifications=_notifications() if g.access.roles else [], first_run=first_run,
    )


@bp.get("/settings")
@requires(*ALL_TOWN_ROLES, committee=True)
def settings():
    groups = db.session.scalars(select(SupervisionGroup).order_by(SupervisionGroup.position)).all()
    activity_types = db.session.scalars(select(ActivityType).order_by(ActivityType.position)).all()
    template = db.session.scalars(select(EvaluationTemplate).order_by(EvaluationTemplate.version.desc())).first()
    return render_template(
        "towns/settings.html", groups=groups, activity_types=activity_types, evaluation=template,
        reception=reception_rule_text(g.town.settings.get("reception_day", {})),
    )


@bp.route("/members", methods=["GET", "POST"])
@requires(TownRole.station_admin)
def members():
    errors: dict[str, str] = {}
    form: dict = {}
    if request.method == "POST":
        form = clean_form(request.form)
        try:
            data = MemberCreateSchema().load(form)
            membership, created = add_member(g.town, actor=current_user, data=data)
        except ValidationError as err:
            errors = first_errors(err)
            db.session.rollback()
        except AccountError as err:
            errors[err.field or "form"] = str(err.message)
            db.session.rollback()
        else:
            enqueue_after_commit(welcome_member, g.town.id, membership.user_id, membership.role.value,
                                 queue="notify", job_id=f"welcome-{g.town.id}-{membership.id}")
            db.session.commit()
            if created:
                flash(_("%(name)s can now sign in as %(username)s with the password you set.",
                        name=membership.user.display_name, username=membership.user.username), "success")
            else:
                flash(_("%(name)s has been added.", name=membership.user.display_name), "success")
            return redirect(url_for(".members"))
    rows = db.session.execute(
        select(TownMembership, User).join(User, User.id == TownMembership.user_id)
        .where(TownMembership.town_id == g.town.id).order_by(TownMembership.role, User.display_name)
    ).all()
    return render_template("towns/members.html", rows=rows, errors=errors, form=form, roles=list(TownRole)), \
        400 if errors else 200


@bp.post("/members/<int:membership_id>/remove")
@requires(TownRole.station_admin)
def remove(membership_id: int):
    membership = db.session.get(TownMembership, membership_id)
    if membership is None or membership.town_id != g.town.id:
        abort(404)
    try:
        remove_member(membership, actor=current_user)
    except AccountError as err:
        flash(str(err.message), "danger")
        return redirect(url_for(".members"))
    db.session.commit()
    flash(_("The role has been removed."), "info")
    return redirect(url_for(".members"))


@bp.get("/notifications")
@requires(*ALL_TOWN_ROLES)
def notifications():
    return render_template("towns/notifications.html", notifications=_notifications(limit=200))


@bp.post("/notifications/<int:notification_id>/read")
@requires(*ALL_TOWN_ROLES)
def mark_read(notification_id: int):
    item = db.session.get(Notification, notification_id)
    if item is None or item.user_id != current_user.id:
        abort(404)
    if item.read_at is None:
        item.read_at = datetime.now(UTC)
        db.session.commit()
    return redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url)
                    else url_for(".notifications"))


@bp.get("/audit")
@requires(TownRole.station_admin)
def audit():
    """The town's log, newest first, 100 a page; `action` narrows it (e.g. deputy., grid.)."""
    query = select(TownAuditEntry).order_by(TownAuditEntry.at.desc(), TownAuditEntry.id.desc())
    action = (request.args.get("action") or "").strip()
    if action:
        query = query.where(TownAuditEntry.action.startswith(action))
    page = db.paginate(query, per_page=100, error_out=False)
    return render_template("towns/audit.html", page=page, action=action)


from . import notices as _notices  # noqa: E402,F401
