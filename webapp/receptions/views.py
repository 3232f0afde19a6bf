"""The reception-day rule, the annual rota (generate, swap, lock), its XLSX."""

from __future__ import annotations

import io
from datetime import date, timedelta

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, select

from ..access import ALL_TOWN_ROLES, STAFF, requires, town_blueprint
from ..accounts.schemas import first_errors
from ..audit.services import record_town
from ..deputies.models import Deputy, DeputyLevel, DeputyStatus
from ..extensions import db
from ..towns.services import reception_rule_text
from . import bp
from .models import ReceptionDay, Response, RotaEntry
from .schemas import RotaRequestSchema, RuleSchema
from .services import (RotaError, days_of, entries_of, generate_rota, record_day, respond, save_rule, set_locked,
                       swap)

town_blueprint(bp)


def _year() -> int:
    today = date.today()
    return request.args.get("year", type=int) or (today.year + 1 if today.month == 12 else today.year)


@bp.get("/")
@requires(*ALL_TOWN_ROLES, committee=True)
def index(errors: dict | None = None, status: int = 200):
    year = request.form.get("year", type=int) or _year()
    serving = list(db.session.scalars(select(Deputy).where(Deputy.status == DeputyStatus.serving)
                                      .order_by(Deputy.level, Deputy.name_pinyin)))
    days = days_of(year)
    statuses = {(e.reception_day_id, e.deputy_id): e for e in db.session.scalars(
        select(RotaEntry).where(RotaEntry.reception_day_id.in_([d.id for d in days])))}
    return render_template(
        "receptions/index.html", year=year, days=days, errors=errors or {}, statuses=statuses, today=date.today(),
        rule=reception_rule_text(g.town.settings.get("reception_day", {})),
        extras=[d for d in serving if d.level != DeputyLevel.town], serving=serving,
    ), status


@bp.post("/generate")
@requires(*STAFF)
def generate():
    try:
        data = RotaRequestSchema().load({"year": request.form.get("year"),
                                         "extra_deputy_ids": request.form.getlist("extra_deputy_ids")})
        days = generate_rota(g.town, data["year"], actor=current_user, extra_deputy_ids=data["extra_deputy_ids"])
    except ValidationError as err:
        return index(errors=first_errors(err), status=400)
    except RotaError as err:
        db.session.rollback()
        return index(errors={err.field or "form": str(err.message)}, status=400)
    db.session.commit()
    flash(_("The rota for %(year)d is ready: %(days)d reception days.", year=data["year"], days=len(days)), "success")
    return redirect(url_for(".index", year=data["year"]))


@bp.post("/<int:day_id>/lock")
@requires(*STAFF)
def lock(day_id: int):
    day = db.get_or_404(ReceptionDay, day_id)
    set_locked(day, request.form.get("locked") == "true", actor=current_user)
    db.session.commit()
    return redirect(url_for(".index", year=day.day.year))


@bp.post("/<int:day_id>/swap")
@requires(*STAFF)
def change(day_id: int):
    day = db.get_or_404(ReceptionDay, day_id)
    try:
        swap(day, actor=current_user, remove_id=request.form.get("remove_id", type=int),
             add_id=request.form.get("add_id", type=int))
    except RotaError as err:
        flash(str(err.message), "danger")
        return redirect(url_for(".index", year=day.day.year))
    db.session.commit()
    return redirect(url_for(".index", year=day.day.year))


def _my_deputy() -> Deputy | None:
    return db.session.scalar(select(Deputy).where(Deputy.user_id == current_user.id))


@bp.get("/mine")
@requires(*ALL_TOWN_ROLES)
def mine():
    """A deputy's own duty days, to confirm or decline."""
    deputy = _my_deputy()
    days = []
    if deputy is not None:
        rows = db.session.execute(
            select(ReceptionDay, RotaEntry).join(RotaEntry, RotaEntry.reception_day_id == ReceptionDay.id)
            .where(RotaEntry.deputy_id == deputy.id, ReceptionDay.day >= date.today()).order_by(ReceptionDay.day)
        ).all()
        days = rows
    return render_template("receptions/mine.html", deputy=deputy, rows=days)


@bp.post("/<int:day_id>/respond")
@requires(*ALL_TOWN_ROLES)
def respond_to(day_id: int):
    day = db.get_or_404(ReceptionDay, day_id)
    deputy = _my_deputy()
    answer = request.form.get("response")
    if deputy is None or answer not in Response.__members__:
        abort(400)
    try:
        respond(day, deputy, Response(answer), actor=current_user)
    except RotaError as err:
        flash(str(err.message), "danger")
        return redirect(url_for(".mine"))
    db.session.commit()
    flash(_("Thank you: the station has your answer."), "success")
    return redirect(url_for(".mine"))


@bp.post("/calendar-link")
@requires(*ALL_TOWN_ROLES)
def calendar_link():
    """Make (or renew) a calendar-feed address: the deputy's own, or with `town=1` the
    town's (staff only). Renewing ends the subscriptions to the old address."""
    from .ical import new_token

    if request.form.get("town") == "1":
        if not g.access.has(*STAFF):
            abort(403)
        g.town.settings = {**(g.town.settings or {}), "calendar_token": new_token()}
        record_town("calendar.town_link", actor=current_user, target="calendar")
        db.session.commit()
        return redirect(url_for(".index"))
    deputy = _my_deputy()
    if deputy is None:
        abort(404)
    deputy.calendar_token = new_token()
    record_town("calendar.deputy_link", actor=current_user, target=f"{deputy.name} #{deputy.id}")
    db.session.commit()
    return redirect(url_for(".mine"))


@bp.get("/calls")
@requires(*STAFF)
def calls():
    """The call list: who is on duty in the next two weeks, their phone, and their answer."""
    rows = db.session.execute(
        select(ReceptionDay, RotaEntry, Deputy).join(RotaEntry, RotaEntry.reception_day_id == ReceptionDay.id)
        .join(Deputy, Deputy.id == RotaEntry.deputy_id)
        .where(ReceptionDay.day.between(date.today(), date.today() + timedelta(days=14)))
        .order_by(ReceptionDay.day, Deputy.name_pinyin)
    ).all()
    return render_template("receptions/calls.html", rows=rows)


@bp.route("/<int:day_id>/record", methods=["GET", "POST"])
@requires(*STAFF)
def record(day_id: int):
    """The day itself: who came, how many constituents were received."""
    day = db.get_or_404(ReceptionDay, day_id)
    entries = entries_of(day)
    errors: dict[str, str] = {}
    if request.method == "POST":
        raw = (request.form.get("constituents") or "").strip()
        constituents = int(raw) if raw.isdigit() else None
        if raw and (constituents is None or constituents > 10000):
            errors["constituents"] = _("Enter the number of constituents received, for example 12.")
        else:
            attended = {int(v) for v in request.form.getlist("attended") if v.isdigit()}
            record_day(day, actor=current_user, attended_ids=attended, constituents=constituents,
                       notes=(request.form.get("notes") or "").strip()[:2000] or None)
            db.session.commit()
            flash(_("The reception day has been recorded."), "success")
            return redirect(url_for(".index", year=day.day.year))
    from ..opinions.models import Opinion

    opinions = db.session.scalar(select(func.count()).select_from(Opinion).where(Opinion.reception_day_id == day.id))
    return render_template("receptions/record.html", day=day, entries=entries, errors=errors,
                           opinions=opinions), 400 if errors else 200


@bp.get("/<int:day_id>/poster")
@requires(*ALL_TOWN_ROLES, committee=True)
def poster(day_id: int):
    """公示: an A4 notice of the day, its time, place and deputies, with a QR code to the station page."""
    from ..station.services import profile

    day = db.get_or_404(ReceptionDay, day_id)
    return render_template("receptions/poster.html", day=day, station=profile(),
                           station_url=url_for("public.station", town=g.town.slug, _external=True))


@bp.get("/station-qr.svg")
@requires(*ALL_TOWN_ROLES, committee=True)
def station_qr():
    from flask import Response

    from ..deputies.qr import qr_code_svg

    return Response(qr_code_svg(url_for("public.station", town=g.town.slug, _external=True)), mimetype="image/svg+xml")


@bp.route("/rule", methods=["GET", "POST"])
@requires(*STAFF)
def rule():
    form = {k: "" if v is None else str(v) for k, v in (g.town.settings.get("reception_day") or {}).items()}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {k: (v or "").strip() for k, v in request.form.items() if k != "csrf_token"}
        try:
            data = RuleSchema().load({k: v for k, v in form.items() if v != ""})
        except ValidationError as err:
            errors = first_errors(err)
        else:
            save_rule(g.town, actor=current_user, rule=data)
            db.session.commit()
            flash(_("Saved. New rotas follow the new rule; regenerate a year to move its days."), "success")
            return redirect(url_for(".index"))
    return render_template("receptions/rule.html", form=form, errors=errors), 400 if errors else 200


@bp.get("/rota-<int:year>.xlsx")
@requires(*ALL_TOWN_ROLES, committee=True)
def rota_xlsx(year: int):
    from ..i18n import labels

    book = Workbook()
    sheet = book.active
    sheet.title = str(year)
    sheet.append([str(_("Date")), str(_("Time")), str(_("Place")), str(_("Deputies on duty"))])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for day in days_of(year):
        sheet.append([day.day, f"{day.starts or ''}–{day.ends or ''}", day.place or "",
                      "、".join(f"{d.name}（{labels()['level'][d.level.value]}）" for d in day.deputies)])
    for row in sheet.iter_rows(min_row=2):
        row[0].number_format = "yyyy-mm-dd"
        for cell in row[1:]:
            cell.data_type = "s"
    for column, width in zip("ABCD", (12, 14, 24, 90)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return send_file(out, as_attachment=True, download_name=f"{g.town.slug}-rota-{year}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
