"""Platform operators: every town, its schema revision, and creating a town."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

import tenants
from tenants import templates as town_templates
from tenants.errors import TenantError
from tenants.models import Region, RegionLevel, Town
from tenants.schema import head

from ..access import operator_required
from ..accounts.schemas import clean_form, first_errors
from ..extensions import db
from . import bp
from .schemas import TownCreateSchema


@bp.before_request
@operator_required
def _operators_only():
    return None


@bp.get("/")
def towns():
    rows = db.session.execute(
        select(Town, Region).join(Region, Region.id == Town.region_id).order_by(Town.created_at.desc())
    ).all()
    return render_template("admin/towns.html", rows=rows, head=head("town"))


@bp.route("/towns/new", methods=["GET", "POST"])
def create_town():
    counties = db.session.scalars(select(Region).where(Region.level == RegionLevel.county).order_by(Region.name)).all()
    errors: dict[str, str] = {}
    form: dict = {}
    if request.method == "POST":
        form = clean_form(request.form)
        try:
            data = TownCreateSchema().load(form)
            town_id = tenants.provision(data["name"], data["region_id"], data["template"], slug=data.get("slug"),
                                        name_en=data.get("name_en"), actor_id=current_user.id)
        except ValidationError as err:
            errors = first_errors(err)
        except TenantError as err:
            errors[err.field or "form"] = str(err.message)
        else:
            town = db.session.get(Town, town_id)
            flash(_("%(name)s is ready at /t/%(slug)s/.", name=town.name, slug=town.slug), "success")
            return redirect(url_for(".towns"))
    return render_template("admin/town_new.html", counties=counties, templates=town_templates.available(),
                           errors=errors, form=form), 400 if errors else 200
