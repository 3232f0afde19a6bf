"""Activities: the list, creating one with invitations, check-in by QR or by staff, minutes,
photos and files, and the town's cadence."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import ALL_TOWN_ROLES, STAFF, requires, town_blueprint
from ..accounts.schemas import first_errors
from ..deputies.models import Deputy, DeputyStatus
from ..deputies.qr import qr_code_svg
from ..extensions import db
from . import bp
from . import file_sections as _file_sections  # noqa: F401  (registers the deputy's-file section)
from ..accounts.models import TownRole
from .models import Activity, ActivityFile, ActivityType, Cadence
from .schemas import ActivityInputSchema, ActivityTypeSchema, MinutesSchema
from .services import (ActivityError, add_file, add_type, cadence, check_in, create_activity, save_minutes,
                       update_types)

town_blueprint(bp)


def _checkin_url(activity: Activity) -> str:
    return url_for(".checkin", activity_id=activity.id, token=activity.checkin_token, _external=True)


@bp.get("/")
@requires(*ALL_TOWN_ROLES, committee=True)
def index():
    year = request.args.get("year", type=int) or date.today().year
    kind = request.args.get("type", type=int)
    query = select(Activity).options(selectinload(Activity.type), selectinload(Activity.invitees)) \
        .where(Activity.day.between(date(year, 1, 1), date(year, 12, 31))).order_by(Activity.day.desc())
    if kind:
        query = query.where(Activity.type_id == kind)
    types = db.session.scalars(select(ActivityType).where(ActivityType.active).order_by(ActivityType.position)).all()
    return render_template("activities/index.html", activities=db.session.scalars(query).all(), year=year,
                           kind=kind, types=types)


@bp.get("/cadence")
@requires(*ALL_TOWN_ROLES, committee=True)
def cadence_view():
    year = request.args.get("year", type=int) or date.today().year
    return render_template("activities/cadence.html", rows=cadence(year), year=year)


@bp.route("/types", methods=["GET", "POST"])
@requires(TownRole.station_admin)
def types():
    """The town's activity types and the cadence it expects of each (seeded from its template)."""
    kinds = db.session.scalars(select(ActivityType).order_by(ActivityType.position)).all()
    errors: dict[str, str] = {}
    form: dict = {}
    if request.method == "POST":
        try:
            if request.form.get("action") == "add":
                form = {k: (v or "").strip() for k, v in request.form.items() if k not in ("csrf_token", "action")}
                add_type(actor=current_user, data=ActivityTypeSchema().load({k: v for k, v in form.items() if v}))
            else:
                update_types(kinds, actor=current_user, form=request.form)
        except ValidationError as err:
            errors = first_errors(err)
        except ActivityError as err:
            errors[err.field or "form"] = str(err.message)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(".types"))
        db.session.rollback()
        kinds = db.session.scalars(select(ActivityType).order_by(ActivityType.position)).all()
    return render_template("activities/types.html", kinds=kinds, errors=errors, form=form,
                           cadences=list(Cadence)), 400 if errors else 200


@bp.route("/new", methods=["GET", "POST"])
@requires(*STAFF)
def new():
    types = db.session.scalars(select(ActivityType).where(ActivityType.active).order_by(ActivityType.position)).all()
    deputies = db.session.scalars(select(Deputy).where(Deputy.status == DeputyStatus.serving)
                                  .order_by(Deputy.level, Deputy.name_pinyin)).all()
    errors: dict[str, str] = {}
    form: dict = {"day": date.today().isoformat()}
    if request.method == "POST":
        form = {k: (v or "").strip() for k, v in request.form.items() if k not in ("csrf_token", "invitee_ids")}
        payload = {k: v for k, v in form.items() if v} | {"invitee_ids": request.form.getlist("invitee_ids")}
        try:
            activity = create_activity(actor=current_user, data=ActivityInputSchema().load(payload))
        except ValidationError as err:
            errors = first_errors(err)
        except ActivityError as err:
            errors[err.field or "form"] = str(err.message)
        else:
            db.session.commit()
            flash(_("The activity has been created."), "success")
            return redirect(url_for(".show", activity_id=activity.id))
    return render_template("activities/new.html", form=form, errors=errors, types=types, deputies=deputies), \
        400 if errors else 200


@bp.get("/<int:activity_id>")
@requires(*ALL_TOWN_ROLES, committee=True)
def show(activity_id: int, errors: dict | None = None, status: int = 200):
    activity = db.get_or_404(Activity, activity_id)
    names = {d.id: d for d in db.session.scalars(select(Deputy).where(
        Deputy.id.in_([i.deputy_id for i in activity.invitees])))}
    serving = db.session.scalars(select(Deputy).where(Deputy.status == DeputyStatus.serving)
                                 .order_by(Deputy.name_pinyin)).all()
    return render_template("activities/show.html", activity=activity, names=names, serving=serving,
                           checkin_url=_checkin_url(activity), errors=errors or {}), status


@bp.get("/<int:activity_id>/checkin-qr.svg")
@requires(*STAFF)
def checkin_qr(activity_id: int):
    return Response(qr_code_svg(_checkin_url(db.get_or_404(Activity, activity_id))), mimetype="image/svg+xml")


@bp.route("/<int:activity_id>/checkin/<token>", methods=["GET", "POST"])
@requires(*ALL_TOWN_ROLES)
def checkin(activity_id: int, token: str):
    """Where the QR code on the wall leads: the signed-in deputy checks in to this activity."""
    activity = db.get_or_404(Activity, activity_id)
    if token != activity.checkin_token:
        abort(404)
    deputy = db.session.scalar(select(Deputy).where(Deputy.user_id == current_user.id))
    done = None
    if request.method == "POST" and deputy is not None:
        done = check_in(activity, deputy, by="qr", actor=current_user)
        db.session.commit()
    already = deputy is not None and any(i.deputy_id == deputy.id and i.checked_in_at for i in activity.invitees)
    return render_template("activities/checkin.html", activity=activity, deputy=deputy, done=done, already=already)


@bp.post("/<int:activity_id>/attendance")
@requires(*STAFF)
def attendance(activity_id: int):
    activity = db.get_or_404(Activity, activity_id)
    deputy = db.session.get(Deputy, request.form.get("deputy_id", type=int) or 0)
    if deputy is None:
        return show(activity_id, errors={"deputy_id": _("Choose a deputy.")}, status=400)
    if not check_in(activity, deputy, by="staff", actor=current_user):
        flash(_("%(name)s had already checked in.", name=deputy.name), "info")
    db.session.commit()
    return redirect(url_for(".show", activity_id=activity.id))


@bp.post("/<int:activity_id>/minutes")
@requires(*STAFF)
def minutes(activity_id: int):
    activity = db.get_or_404(Activity, activity_id)
    try:
        data = MinutesSchema().load({k: v.strip() for k, v in request.form.items()
                                     if k not in ("csrf_token", "lecturer_ids") and v.strip()}
                                    | {"lecturer_ids": request.form.getlist("lecturer_ids")})
    except ValidationError as err:
        return show(activity_id, errors=first_errors(err), status=400)
    save_minutes(activity, actor=current_user, data=data)
    db.session.commit()
    flash(_("The minutes have been saved."), "success")
    return redirect(url_for(".show", activity_id=activity.id))


@bp.post("/<int:activity_id>/files")
@requires(*STAFF)
def upload(activity_id: int):
    activity = db.get_or_404(Activity, activity_id)
    upload_ = request.files.get("file")
    if upload_ is None or not upload_.filename:
        return show(activity_id, errors={"file": _("Choose a file.")}, status=400)
    try:
        add_file(activity, actor=current_user, filename=upload_.filename, content=upload_.read())
    except ActivityError as err:
        return show(activity_id, errors={"file": str(err.message)}, status=400)
    db.session.commit()
    return redirect(url_for(".show", activity_id=activity.id))


@bp.get("/<int:activity_id>/files/<int:file_id>")
@requires(*ALL_TOWN_ROLES, committee=True)
def download(activity_id: int, file_id: int):
    stored = db.get_or_404(ActivityFile, file_id)
    if stored.activity_id != activity_id:
        abort(404)
    return Response(stored.content, mimetype=stored.mimetype, headers={
        "Content-Disposition": "attachment; filename*=UTF-8''" + quote(stored.filename)})
