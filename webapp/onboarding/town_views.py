"""The town's side of onboarding: the first-run guide a new station admin is walked through,
and saving the town's configuration as a template others can start from."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from tenants.models import TemplateSource, TownTemplate

from ..access import STAFF, requires
from ..accounts.models import TownMembership, TownRole
from ..extensions import db
from ..towns import bp
from .services import OnboardingError, store_template, stored_templates, template_file, town_bundle


def first_run_steps() -> list[dict]:
    """The essentials of a new station, each done or not, read from the town's own records."""
    from ..deputies.models import Deputy
    from ..receptions.models import ReceptionDay
    from ..station.models import StationProfile

    profile = db.session.get(StationProfile, 1)
    deputies = db.session.scalar(select(func.count()).select_from(Deputy))
    rota = db.session.scalar(select(func.count()).select_from(ReceptionDay).where(
        func.extract("year", ReceptionDay.day) == date.today().year))
    people = db.session.scalar(select(func.count(func.distinct(TownMembership.user_id))).where(
        TownMembership.town_id == g.town.id))
    return [
        {"key": "profile", "done": bool(profile and profile.address and profile.phone),
         "title": _("Fill in the station's profile"),
         "text": _("Address, opening hours and telephone: constituents see them on the station's public page."),
         "link": url_for("station.edit"), "action": _("Edit the profile")},
        {"key": "deputies", "done": deputies > 0, "title": _("Import the deputies"),
         "text": _("Upload the roster spreadsheet of the deputies at every level who belong to the station."),
         "link": url_for("deputies.import_"), "action": _("Import the roster"),
         "count": deputies},
        {"key": "reception", "done": rota > 0, "title": _("Check the reception day"),
         "text": _("See when the reception days fall this year under the template's rule, and draw up the rota."),
         "link": url_for("receptions.index"), "action": _("Open the reception days")},
        {"key": "staff", "done": people > 1, "title": _("Invite the staff"),
         "text": _("Give the station's secretary and staff their accounts, with the right role each."),
         "link": url_for("towns.members"), "action": _("Add people")},
    ]


@bp.get("/welcome")
@requires(TownRole.station_admin, *STAFF)
def welcome():
    steps = first_run_steps()
    return render_template("onboarding/welcome.html", steps=steps, done=sum(s["done"] for s in steps),
                           new=request.args.get("new") == "1")


@bp.route("/settings/templates", methods=["GET", "POST"])
@requires(TownRole.station_admin)
def town_templates():
    errors: dict[str, str] = {}
    form: dict[str, str] = {}
    if request.method == "POST":
        form = {k: (request.form.get(k) or "").strip() for k in ("key", "name")}
        try:
            if not form["name"]:
                raise OnboardingError(_("Give the template a name (at most 96 characters)."), "name")
            row = store_template(town_bundle(g.town, key=form["key"], name=form["name"]), source=TemplateSource.town,
                                 actor=current_user, town_id=g.town.id)
        except OnboardingError as err:
            db.session.rollback()
            errors[err.field if err.field in ("key", "name") else "form"] = str(err.message)
        else:
            db.session.commit()
            flash(_("Saved as the template %(name)s (version %(version)d).", name=row.name, version=row.version),
                  "success")
            return redirect(url_for(".town_templates"))
    return render_template("onboarding/town_templates.html", rows=stored_templates(town_id=g.town.id), form=form,
                           errors=errors), 400 if errors else 200


@bp.get("/settings/templates/<int:template_id>.json")
@requires(TownRole.station_admin)
def town_template_file(template_id: int):
    row = db.session.get(TownTemplate, template_id)
    if row is None or row.town_id != g.town.id:
        abort(404)
    return Response(template_file(row), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{row.key}-v{row.version}.json"'})
