"""Platform operators: every town, its schema revision, and creating a town."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
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
from ..i18n import localized
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


# --- rollups: the nightly fan-out's progress, and recomputing a town on demand --------------------

@bp.get("/rollups")
def rollups():
    from datetime import date, timedelta

    from jobs.rollups import BATCH, RUN_KEPT_DAYS, describe_job, run_progress
    from webapp.committees.rollups import previous_quarter, quarter_of

    today = date.today()
    runs = [run_progress(today - timedelta(days=n)) for n in range(RUN_KEPT_DAYS)]
    runs = [r for r in runs if r["jobs"]]
    towns = db.session.scalars(select(Town).order_by(Town.name)).all()
    names = {t.id: localized(t) for t in towns}
    failed = []
    for run in runs[:1]:
        for job_id in run["failed"]:
            covers = describe_job(job_id)
            if covers:
                members = covers["towns"]
                label = (", ".join(str(names.get(t, t)) for t in members) if len(members) <= 3
                         else _("%(n)d towns", n=len(members)))
                failed.append({"job_id": job_id, "town": label,
                               "quarter": ", ".join(f"{y}Q{q}" for y, q in covers["quarters"])})
    current = quarter_of(today)
    quarters = [current, previous_quarter(*current), previous_quarter(*previous_quarter(*current))]
    return render_template("admin/rollups.html", runs=runs, failed=failed, towns=towns, quarters=quarters,
                           batch=BATCH)


@bp.post("/rollups/recompute")
def recompute_rollup():
    from datetime import date

    from jobs.rollups import enqueue_rollup

    town = db.session.scalar(select(Town).where(Town.slug == request.form.get("town", "")))
    try:
        year, quarter = (int(x) for x in request.form.get("quarter", "").upper().split("Q"))
        if not 1 <= quarter <= 4:
            raise ValueError
    except ValueError:
        town = None
    if town is None:
        flash(_("Choose a town and a quarter."), "danger")
        return redirect(url_for(".rollups"))
    enqueue_rollup(town.id, year, quarter, date.today(), force=True)
    flash(_("%(town)s's %(quarter)s is being recomputed; the row is replaced when the job finishes.",
            town=town.name, quarter=f"{year}Q{quarter}"), "success")
    return redirect(url_for(".rollups"))


@bp.post("/rollups/retry")
def retry_rollup():
    from rq.registry import FailedJobRegistry

    from jobs import queue

    job_id = request.form.get("job_id", "")
    registry = FailedJobRegistry(queue=queue("rollups"))
    if job_id in registry.get_job_ids():
        registry.requeue(job_id)
        flash(_("The job is queued again."), "success")
    else:
        flash(_("That job is no longer among the failed ones."), "warning")
    return redirect(url_for(".rollups"))


# --- a town's life: invitation codes, suspend, resume, archive ---------------------------------------

@bp.route("/invitations", methods=["GET", "POST"])
def invitations():
    from datetime import UTC, datetime

    from ..onboarding.models import Invitation
    from ..onboarding.services import OnboardingError, format_code, issue_invitation

    counties = db.session.scalars(select(Region).where(Region.level == RegionLevel.county).order_by(Region.name)).all()
    errors: dict[str, str] = {}
    if request.method == "POST":
        region_id = request.form.get("region", "")
        days = request.form.get("days", "")
        try:
            invitation = issue_invitation(region=db.session.get(Region, int(region_id)) if region_id.isdigit() else None,
                                          actor=current_user, days=int(days) if days.isdigit() else 0,
                                          town_name=request.form.get("town_name"))
        except OnboardingError as err:
            db.session.rollback()
            errors[err.field or "form"] = str(err.message)
        else:
            db.session.commit()
            flash(_("Invitation code %(code)s is ready: give it to the town with the signup address.",
                    code=format_code(invitation.code)), "success")
            return redirect(url_for(".invitations"))
    rows = db.session.scalars(select(Invitation).order_by(Invitation.created_at.desc()).limit(100)).all()
    return render_template("admin/invitations.html", counties=counties, rows=rows, errors=errors,
                           now=datetime.now(UTC), format_code=format_code,
                           signup_url=url_for("onboarding.signup_form", _external=True)), 400 if errors else 200


@bp.post("/towns/<int:town_id>/status")
def town_status(town_id: int):
    """Suspend (read-only), resume, or archive a town. Archiving dumps the schema first (a
    job); the schema itself is kept: nothing is deleted by accident."""
    from tenants.models import TownStatus

    from ..audit.services import record_platform

    town = db.session.get(Town, town_id)
    if town is None:
        abort(404)
    action = request.form.get("action")
    if action == "suspend" and town.status == TownStatus.active:
        town.status = TownStatus.suspended
        flash(_("%(town)s is suspended: everyone can still read, nobody can change anything.", town=town.name),
              "success")
    elif action == "resume" and town.status == TownStatus.suspended:
        town.status = TownStatus.active
        flash(_("%(town)s is active again.", town=town.name), "success")
    elif action == "archive" and town.status == TownStatus.suspended:
        if request.form.get("confirm", "").strip() != town.slug:
            flash(_("To archive %(town)s, type its short name %(slug)s.", town=town.name, slug=town.slug), "danger")
            return redirect(url_for(".towns"))
        from jobs import enqueue_after_commit
        from jobs.onboarding import archive_town

        enqueue_after_commit(archive_town, town.id, current_user.id, job_id=f"archive-town-{town.id}")
        flash(_("%(town)s is being dumped; it is archived when the dump is complete.", town=town.name), "success")
    else:
        flash(_("%(town)s cannot be changed that way now.", town=town.name), "warning")
        return redirect(url_for(".towns"))
    record_platform(f"town.{action}", actor=current_user, town_id=town.id, target=town.slug)
    db.session.commit()
    return redirect(url_for(".towns"))
