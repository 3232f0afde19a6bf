"""The roster pages: list with filters and search, add, detail, edit, retire."""

from __future__ import annotations

import io
from datetime import date

from flask import Response, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from ..access import ALL_TOWN_ROLES, STAFF, requires, town_blueprint
from ..accounts.schemas import clean_form, first_errors
from ..extensions import db
from . import bp
from .models import Deputy, DeputyLevel, DeputyStatus, Gender
from .file import assemble, years_of
from .qr import qr_code_png, qr_code_svg
from .roster_io import export_file, export_roster, import_roster
from .schemas import DeputyInputSchema, RetireSchema
from .services import (PhotoError, constituencies, create_deputy, has_photo, photo_of, retire_deputy, roster_query, set_photo,
                       update_deputy)

town_blueprint(bp)

PER_PAGE = 50


def _form_context(**extra):
    return {"levels": list(DeputyLevel), "genders": list(Gender), **extra}


def _get(deputy_id: int) -> Deputy:
    return db.get_or_404(Deputy, deputy_id)


@bp.get("/")
@requires(*ALL_TOWN_ROLES, committee=True)
def index():
    filters = {k: request.args.get(k) or None for k in ("q", "level", "constituency", "grid")}
    filters["status"] = request.args.get("status", "serving")  # "" (all) must survive into the paging links
    page = db.paginate(roster_query(**{**filters, "status": filters["status"] or None}), per_page=PER_PAGE,
                       error_out=False)
    return render_template("deputies/index.html", page=page, filters=filters, levels=list(DeputyLevel),
                           statuses=list(DeputyStatus), constituencies=constituencies())


@bp.get("/export.xlsx")
@requires(*ALL_TOWN_ROLES, committee=True)
def export():
    """The roster as shown by the filters (all statuses unless one is chosen), as XLSX."""
    filters = {k: request.args.get(k) or None for k in ("q", "level", "constituency", "status", "grid")}
    deputies = db.session.scalars(roster_query(**filters)).all()
    filename = f"{g.town.slug}-deputies-{date.today():%Y%m%d}.xlsx"
    return send_file(io.BytesIO(export_roster(deputies)), as_attachment=True, download_name=filename,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/import", methods=["GET", "POST"])
@requires(*STAFF)
def import_():
    result = None
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Choose the Excel file to import."), "danger")
            return render_template("deputies/import.html", result=None), 400
        result = import_roster(upload.read(), actor=current_user)
        if result.ok:
            db.session.commit()
            flash(_("Imported: %(created)d added, %(updated)d updated, %(unchanged)d unchanged.",
                    created=result.created, updated=result.updated, unchanged=result.unchanged), "success")
            return redirect(url_for(".index"))
        db.session.rollback()
    return render_template("deputies/import.html", result=result), 400 if result and not result.ok else 200


@bp.route("/new", methods=["GET", "POST"])
@requires(*STAFF)
def new():
    errors: dict[str, str] = {}
    form: dict = {"level": "town"}
    if request.method == "POST":
        form = clean_form(request.form)
        try:
            data = DeputyInputSchema().load(form)
        except ValidationError as err:
            errors = first_errors(err)
        else:
            deputy = create_deputy(actor=current_user, data=data)
            db.session.commit()
            flash(_("%(name)s has been added to the roster.", name=deputy.name), "success")
            return redirect(url_for(".show", deputy_id=deputy.id))
    return render_template("deputies/form.html", **_form_context(form=form, errors=errors, deputy=None)), \
        400 if errors else 200


@bp.get("/<int:deputy_id>")
@requires(*ALL_TOWN_ROLES, committee=True)
def show(deputy_id: int):
    from ..grids.models import Grid

    deputy = _get(deputy_id)
    grids = db.session.scalars(select(Grid).where(Grid.deputies.contains(deputy)).order_by(Grid.community)).all()
    return render_template("deputies/show.html", deputy=deputy, grids=grids, has_photo=has_photo(deputy.id))


def _public_url(deputy: Deputy) -> str:
    return url_for("public.deputy", town=g.town.slug, deputy_id=deputy.id, _external=True)


@bp.get("/<int:deputy_id>/qr.svg")
@requires(*ALL_TOWN_ROLES, committee=True)
def qr_svg(deputy_id: int):
    """二维码亮身份: the QR code of the deputy's public page, as SVG (crisp in print)."""
    return Response(qr_code_svg(_public_url(_get(deputy_id))), mimetype="image/svg+xml")


@bp.get("/<int:deputy_id>/qr.png")
@requires(*ALL_TOWN_ROLES, committee=True)
def qr_png(deputy_id: int):
    deputy = _get(deputy_id)
    return send_file(io.BytesIO(qr_code_png(_public_url(deputy))), mimetype="image/png",
                     download_name=f"{g.town.slug}-deputy-{deputy.id}.png")


@bp.get("/<int:deputy_id>/card")
@requires(*ALL_TOWN_ROLES, committee=True)
def card(deputy_id: int):
    """A printable card: the QR code, the deputy's name, level and constituency."""
    from ..station.services import profile

    deputy = _get(deputy_id)
    return render_template("deputies/card.html", deputy=deputy, public_url=_public_url(deputy), station=profile())


@bp.get("/<int:deputy_id>/file")
@requires(*ALL_TOWN_ROLES, committee=True)
def file(deputy_id: int):
    """一人一档: everything recorded about the deputy, by year (printable as it is)."""
    deputy = _get(deputy_id)
    years = years_of(deputy)
    year = request.args.get("year", type=int)
    shown = assemble(deputy, [year] if year in years else years)
    return render_template("deputies/file.html", deputy=deputy, file=shown, years=years, year=year,
                           summary=assemble(deputy, years) if year in years else shown)


@bp.get("/<int:deputy_id>/file.xlsx")
@requires(*ALL_TOWN_ROLES, committee=True)
def file_xlsx(deputy_id: int):
    deputy = _get(deputy_id)
    content = export_file(deputy, assemble(deputy, years_of(deputy)))
    return send_file(io.BytesIO(content), as_attachment=True, download_name=f"{g.town.slug}-deputy-{deputy.id}-file.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/<int:deputy_id>/photo")
@requires(*ALL_TOWN_ROLES, committee=True)
def photo(deputy_id: int):
    found = photo_of(_get(deputy_id).id)
    if found is None:
        abort(404)
    return Response(found.content, mimetype=found.mimetype, headers={"Cache-Control": "private, max-age=300"})


@bp.post("/<int:deputy_id>/photo")
@requires(*STAFF)
def upload_photo(deputy_id: int):
    deputy = _get(deputy_id)
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        flash(_("Choose a photo to upload."), "danger")
        return redirect(url_for(".show", deputy_id=deputy.id))
    try:
        set_photo(deputy, actor=current_user, content=upload.read())
    except PhotoError as err:
        flash(str(err.message), "danger")
        return redirect(url_for(".show", deputy_id=deputy.id))
    db.session.commit()
    flash(_("The photo has been saved."), "success")
    return redirect(url_for(".show", deputy_id=deputy.id))


@bp.route("/<int:deputy_id>/edit", methods=["GET", "POST"])
@requires(*STAFF)
def edit(deputy_id: int):
    deputy = _get(deputy_id)
    errors: dict[str, str] = {}
    form = DeputyInputSchema().dump(deputy)
    form = {k: ("" if v is None else v) for k, v in form.items()}
    if request.method == "POST":
        form = clean_form(request.form)
        try:
            data = DeputyInputSchema().load(form)
        except ValidationError as err:
            errors = first_errors(err)
        else:
            changed = update_deputy(deputy, actor=current_user, data=data)
            db.session.commit()
            flash(_("Saved.") if changed else _("Nothing was changed."), "success" if changed else "info")
            return redirect(url_for(".show", deputy_id=deputy.id))
    return render_template("deputies/form.html", **_form_context(form=form, errors=errors, deputy=deputy)), \
        400 if errors else 200


@bp.post("/<int:deputy_id>/retire")
@requires(*STAFF)
def retire(deputy_id: int):
    deputy = _get(deputy_id)
    try:
        data = RetireSchema().load(clean_form(request.form))
    except ValidationError as err:
        flash(next(iter(first_errors(err).values())), "danger")
        return redirect(url_for(".show", deputy_id=deputy.id))
    if retire_deputy(deputy, actor=current_user, left_on=data["left_on"]):
        db.session.commit()
        flash(_("%(name)s is now listed as having left.", name=deputy.name), "info")
    return redirect(url_for(".show", deputy_id=deputy.id))

