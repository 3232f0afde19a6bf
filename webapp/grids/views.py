"""Grid pages: counts per community, the list (fast at hundreds of grids), a grid's heads and deputies."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import func, select

from ..access import ALL_TOWN_ROLES, STAFF, requires, town_blueprint
from ..accounts.schemas import clean_form, first_errors
from ..deputies.models import Deputy, DeputyStatus
from ..extensions import db
from . import bp
from .models import Grid, GridHead, GridKind
from .schemas import GridHeadInputSchema, GridInputSchema
from .services import (GridError, add_head, assign_deputy, community_counts, create_grid, grid_rows, remove_head,
                       unassign_deputy)

town_blueprint(bp)

PER_PAGE = 100


@bp.get("/")
@requires(*ALL_TOWN_ROLES, committee=True)
def index():
    filters = {k: request.args.get(k) or None for k in ("kind", "community")}
    page = max(request.args.get("page", 1, type=int), 1)
    query = grid_rows(**filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.execute(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    counts = community_counts()
    return render_template("grids/index.html", rows=rows, total=total, page=page,
                           pages=max((total + PER_PAGE - 1) // PER_PAGE, 1), filters=filters, counts=counts,
                           kinds=list(GridKind), communities=[c[0] for c in counts])


@bp.route("/new", methods=["GET", "POST"])
@requires(*STAFF)
def new():
    errors: dict[str, str] = {}
    form: dict = {"kind": "residential"}
    if request.method == "POST":
        form = clean_form(request.form)
        try:
            grid = create_grid(actor=current_user, data=GridInputSchema().load(form))
        except ValidationError as err:
            errors = first_errors(err)
        except GridError as err:
            errors[err.field or "form"] = str(err.message)
        else:
            db.session.commit()
            flash(_("The grid %(name)s has been added.", name=grid.name), "success")
            return redirect(url_for(".show", grid_id=grid.id))
    return render_template("grids/new.html", form=form, errors=errors, kinds=list(GridKind)), 400 if errors else 200


@bp.get("/<int:grid_id>")
@requires(*ALL_TOWN_ROLES, committee=True)
def show(grid_id: int, errors: dict | None = None, status: int = 200):
    grid = db.get_or_404(Grid, grid_id)
    candidates = db.session.scalars(select(Deputy).where(Deputy.status == DeputyStatus.serving)
                                    .order_by(Deputy.name_pinyin)).all()
    return render_template("grids/show.html", grid=grid, candidates=[d for d in candidates if d not in grid.deputies],
                           errors=errors or {}), status


@bp.post("/<int:grid_id>/heads")
@requires(*STAFF)
def add_grid_head(grid_id: int):
    grid = db.get_or_404(Grid, grid_id)
    try:
        data = GridHeadInputSchema().load(clean_form(request.form))
    except ValidationError as err:
        return show(grid_id, errors=first_errors(err), status=400)
    add_head(grid, actor=current_user, data=data)
    db.session.commit()
    return redirect(url_for(".show", grid_id=grid.id))


@bp.post("/<int:grid_id>/heads/<int:head_id>/remove")
@requires(*STAFF)
def remove_grid_head(grid_id: int, head_id: int):
    head = db.get_or_404(GridHead, head_id)
    if head.grid_id != grid_id:
        return redirect(url_for(".show", grid_id=grid_id))
    remove_head(head, actor=current_user)
    db.session.commit()
    return redirect(url_for(".show", grid_id=grid_id))


@bp.post("/<int:grid_id>/deputies")
@requires(*STAFF)
def assign(grid_id: int):
    grid = db.get_or_404(Grid, grid_id)
    deputy = db.session.get(Deputy, request.form.get("deputy_id", type=int) or 0)
    if deputy is None:
        return show(grid_id, errors={"deputy_id": _("Choose a deputy.")}, status=400)
    try:
        changed = assign_deputy(grid, deputy, actor=current_user)
    except GridError as err:
        return show(grid_id, errors={"deputy_id": str(err.message)}, status=400)
    if changed:
        db.session.commit()
    return redirect(url_for(".show", grid_id=grid.id))


@bp.post("/<int:grid_id>/deputies/<int:deputy_id>/remove")
@requires(*STAFF)
def unassign(grid_id: int, deputy_id: int):
    grid = db.get_or_404(Grid, grid_id)
    if unassign_deputy(grid, db.get_or_404(Deputy, deputy_id), actor=current_user):
        db.session.commit()
    return redirect(url_for(".show", grid_id=grid.id))
