"""The station's profile page (staff edit it; everyone in the town and committee readers see it)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from ..access import ALL_TOWN_ROLES, STAFF, requires, town_blueprint
from ..accounts.schemas import clean_form, first_errors
from ..extensions import db
from . import bp
from .schemas import StationProfileSchema
from .services import FIELDS, profile, save_profile

town_blueprint(bp)


@bp.get("/")
@requires(*ALL_TOWN_ROLES, committee=True)
def show():
    return render_template("station/show.html", station=profile())


@bp.route("/edit", methods=["GET", "POST"])
@requires(*STAFF)
def edit():
    current = profile()
    form = {k: "" if getattr(current, k) is None else str(getattr(current, k)) for k in FIELDS}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {k: (request.form.get(k) or "").strip() for k in FIELDS}
        try:
            data = StationProfileSchema().load({k: v or None for k, v in clean_form(request.form).items()} |
                                               {k: None for k in FIELDS if not form[k]})
        except ValidationError as err:
            errors = first_errors(err)
        else:
            changed = save_profile(actor=current_user, data=data)
            db.session.commit()
            flash(_("Saved.") if changed else _("Nothing was changed."), "success" if changed else "info")
            return redirect(url_for(".show"))
    return render_template("station/edit.html", form=form, errors=errors), 400 if errors else 200
