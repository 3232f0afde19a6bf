"""Studios (头雁工作室) per area: villages and member deputies."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import ALL_TOWN_ROLES, STAFF, requires, town_blueprint
from ..accounts.schemas import clean_form, first_errors
from ..deputies.models import Deputy, DeputyStatus
from ..extensions import db
from . import bp
from .models import Studio
from .schemas import StudioInputSchema
from .services import StudioError, add_member, create_studio, remove_member

town_blueprint(bp)


@bp.get("/")
@requires(*ALL_TOWN_ROLES, committee=True)
def index():
    studios = db.session.scalars(select(Studio).options(selectinload(Studio.members))
                                 .order_by(Studio.area, Studio.name)).all()
    return render_template("studios/index.html", studios=studios)


@bp.route("/new", methods=["GET", "POST"])
@requires(*STAFF)
def new():
    errors: dict[str, str] = {}
    form: dict = {}
    if request.method == "POST":
        form = clean_form(request.form)
        try:
            studio = create_studio(actor=current_user, data=StudioInputSchema().load(form))
        except ValidationError as err:
            errors = first_errors(err)
        except StudioError as err:
            errors[err.field or "form"] = str(err.message)
        else:
            db.session.commit()
            flash(_("%(name)s has been added.", name=studio.name), "success")
            return redirect(url_for(".show", studio_id=studio.id))
    return render_template("studios/new.html", form=form, errors=errors), 400 if errors else 200


@bp.get("/<int:studio_id>")
@requires(*ALL_TOWN_ROLES, committee=True)
def show(studio_id: int):
    studio = db.get_or_404(Studio, studio_id)
    candidates = [d for d in db.session.scalars(select(Deputy).where(Deputy.status == DeputyStatus.serving)
                                                .order_by(Deputy.name_pinyin)) if d not in studio.members]
    return render_template("studios/show.html", studio=studio, candidates=candidates)


@bp.post("/<int:studio_id>/members")
@requires(*STAFF)
def add(studio_id: int):
    studio = db.get_or_404(Studio, studio_id)
    deputy = db.session.get(Deputy, request.form.get("deputy_id", type=int) or 0)
    try:
        if deputy is None:
            flash(_("Choose a deputy."), "danger")
        elif add_member(studio, deputy, actor=current_user):
            db.session.commit()
    except StudioError as err:
        flash(str(err.message), "danger")
    return redirect(url_for(".show", studio_id=studio.id))


@bp.post("/<int:studio_id>/members/<int:deputy_id>/remove")
@requires(*STAFF)
def remove(studio_id: int, deputy_id: int):
    studio = db.get_or_404(Studio, studio_id)
    if remove_member(studio, db.get_or_404(Deputy, deputy_id), actor=current_user):
        db.session.commit()
    return redirect(url_for(".show", studio_id=studio.id))
