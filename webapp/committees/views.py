"""A committee's home: every town in its jurisdiction (read-only drill-down into each)."""

from __future__ import annotations

from flask import abort, g, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tenants.models import Region, Town, TownStatus

from ..accounts.models import CommitteeMembership
from ..extensions import db
from . import bp
from .models import Committee


def member_committee(slug: str) -> Committee | None:
    """The committee named `slug` if the signed-in user is one of its members (else None: the
    same 404 whether it does not exist or is someone else's). One statement, with the region
    (every committee page reads the jurisdiction's path)."""
    return db.session.scalar(
        select(Committee).join(CommitteeMembership, (CommitteeMembership.committee_id == Committee.id)
                               & (CommitteeMembership.user_id == current_user.id))
        .where(Committee.slug == slug).options(joinedload(Committee.region)))


def committee_blueprint(blueprint) -> None:
    """Make `blueprint` a committee blueprint: its URLs start with /c/<committee>/, every request
    finds the committee among the user's own (404 otherwise), and url_for fills it in."""

    @blueprint.url_value_preprocessor
    def _enter(endpoint, values):
        if not current_user.is_authenticated:
            abort(401)
        committee = member_committee(values.pop("committee"))
        if committee is None:
            abort(404)
        g.committee = committee

    @blueprint.url_defaults
    def _committee(endpoint, values):
        if "committee" not in values and g.get("committee") is not None:
            values["committee"] = g.committee.slug


committee_blueprint(bp)


def towns_in(committee: Committee) -> list[tuple[Town, Region]]:
    county = db.aliased(Region)
    return db.session.execute(
        select(Town, county).join(Region, Region.id == Town.region_id).join(county, county.id == Region.parent_id)
        .where(Region.path.startswith(committee.region.path), Town.status != TownStatus.archived)
        .order_by(county.name, Town.name)
    ).all()


@bp.get("/")
def home():
    return render_template("committees/home.html", rows=towns_in(g.committee))


from . import notice_views as _notice_views  # noqa: E402,F401
from . import scorecard_views as _scorecard_views  # noqa: E402,F401
