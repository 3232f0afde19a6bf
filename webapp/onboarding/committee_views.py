"""The committee's side of onboarding: invitation codes for the towns of its jurisdiction,
and the templates it offers them (its own, imported from a file, or saved by one of its
towns and published)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tenants.models import Region, RegionLevel, TemplateSource, TownTemplate

from ..committees import bp
from ..extensions import db
from .models import Invitation
from .services import (OnboardingError, format_code, issue_invitation, read_template_file, store_template,
                       stored_templates, template_choices, template_file)


def _counties() -> list[Region]:
    return list(db.session.scalars(select(Region).where(Region.level == RegionLevel.county,
                                                        Region.path.startswith(g.committee.region.path))
                                   .order_by(Region.name)))


@bp.route("/invitations", methods=["GET", "POST"])
def invitations():
    errors: dict[str, str] = {}
    form: dict[str, str] = {}
    if request.method == "POST":
        form = {k: (request.form.get(k) or "").strip() for k in ("region", "town_name", "template", "days")}
        region = db.session.get(Region, int(form["region"])) if form["region"].isdigit() else None
        try:
            invitation = issue_invitation(region=region, actor=current_user, committee=g.committee,
                                          days=int(form["days"]) if form["days"].isdigit() else 0,
                                          town_name=form["town_name"], template_key=form["template"] or None)
        except OnboardingError as err:
            db.session.rollback()
            errors[err.field or "form"] = str(err.message)
        else:
            db.session.commit()
            flash(_("Invitation code %(code)s is ready: give it to the town with the signup address.",
                    code=format_code(invitation.code)), "success")
            return redirect(url_for(".invitations"))
    rows = db.session.scalars(select(Invitation).where(Invitation.committee_id == g.committee.id)
                              .order_by(Invitation.created_at.desc())).all()
    return render_template("onboarding/invitations.html", rows=rows, counties=_counties(), form=form, errors=errors,
                           templates=template_choices(g.committee), now=datetime.now(UTC), format_code=format_code,
                           signup_url=url_for("onboarding.signup_form", _external=True)), 400 if errors else 200


@bp.route("/templates", methods=["GET", "POST"])
def committee_templates():
    errors: dict[str, str] = {}
    problems: list[str] = []
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise OnboardingError(_("Choose a template file (.json) exported from Liaison."), "file")
            bundle = read_template_file(upload.read())
            row = store_template(bundle, source=TemplateSource.committee, actor=current_user,
                                 committee_id=g.committee.id)
        except OnboardingError as err:
            db.session.rollback()
            errors["file"] = str(err.message)
            problems = [str(p) for p in err.problems[1:]]
        else:
            db.session.commit()
            flash(_("Imported the template %(name)s (version %(version)d). Publish it to offer it to your towns.",
                    name=row.name, version=row.version), "success")
            return redirect(url_for(".committee_templates"))
    return render_template("onboarding/committee_templates.html", rows=stored_templates(committee_id=g.committee.id),
                           errors=errors, problems=problems), 400 if errors else 200


def _template(template_id: int) -> TownTemplate:
    row = db.session.get(TownTemplate, template_id)
    if row is None or row not in stored_templates(committee_id=g.committee.id):
        abort(404)
    return row


@bp.post("/templates/<int:template_id>/publish")
def publish_template(template_id: int):
    """Offer a template (the committee's own, or one of its towns') to the towns that sign up
    with this committee's codes; posting again withdraws it."""
    row = _template(template_id)
    if row.committee_id not in (None, g.committee.id):
        abort(404)
    row.committee_id = g.committee.id
    row.published = not row.published
    from ..audit.services import record_platform

    record_platform("template.publish" if row.published else "template.withdraw", actor=current_user,
                    committee_id=g.committee.id, target=f"{row.key} v{row.version}")
    db.session.commit()
    flash(_("%(name)s is offered to your towns.", name=row.name) if row.published
          else _("%(name)s is no longer offered.", name=row.name), "success")
    return redirect(url_for(".committee_templates"))


@bp.get("/templates/<int:template_id>.json")
def committee_template_file(template_id: int):
    row = _template(template_id)
    return Response(template_file(row), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{row.key}-v{row.version}.json"'})
