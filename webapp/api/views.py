"""API endpoints. Every one is declared with @api_route, which also documents it."""

from __future__ import annotations

from flask import g, jsonify, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tenants.models import Town

from ..access import STAFF, committees_of, enter_town
from ..accounts.models import TownMembership
from ..extensions import db
from ..projects.models import SupervisionGroup
from ..projects.services import GroupError, create_group
from .core import ApiError, api_route, field_error, load_body
from .openapi import document
from .schemas import MeSchema, SupervisionGroupSchema, TownDetailSchema, TownSchema


def enter_api_town(slug: str, *roles) -> None:
    """enter_town for the API: the same binding and 404s, and a 403 when `roles` are required."""
    access = enter_town(slug)
    if roles and not access.has(*roles):
        raise ApiError(403, "forbidden", _("Your role in this town does not allow this."))


@api_route("/openapi.json", summary="This document (OpenAPI 3)", tag="meta", auth=False)
def openapi():
    return jsonify(document())


@api_route("/me", summary="The signed-in user, their towns and committees", tag="accounts",
           response_schema=MeSchema)
def me():
    towns = db.session.execute(
        select(Town.slug, Town.name, TownMembership.role).join(TownMembership, TownMembership.town_id == Town.id)
        .where(TownMembership.user_id == current_user.id).order_by(Town.slug)
    ).all()
    return jsonify(MeSchema().dump({
        "user": current_user,
        "towns": [{"slug": s, "name": n, "role": r.value} for s, n, r in towns],
        "committees": [{"slug": c.slug, "name": c.name} for c in committees_of(current_user)],
    }))


@api_route("/towns", summary="Towns the user belongs to or oversees", tag="towns",
           response_schema=TownSchema, many=True)
def towns():
    member_of = select(TownMembership.town_id).where(TownMembership.user_id == current_user.id)
    rows = list(db.session.scalars(select(Town).where(Town.id.in_(member_of)).order_by(Town.slug)))
    for committee in committees_of(current_user):
        from ..committees.views import towns_in

        rows.extend(t for t, _county in towns_in(committee) if t not in rows)
    return jsonify(TownSchema(many=True).dump(rows))


@api_route("/t/<town>", summary="One town and its configuration", tag="towns", response_schema=TownDetailSchema)
def town(town: str):
    enter_api_town(town)
    data = TownDetailSchema().dump(g.town)
    data.update(roles=sorted(r.value for r in g.access.roles), read_only=g.access.read_only, settings=g.town.settings)
    return jsonify(data)


@api_route("/t/<town>/supervision-groups", summary="The town's supervision groups", tag="projects",
           response_schema=SupervisionGroupSchema, many=True)
def supervision_groups(town: str):
    enter_api_town(town)
    rows = db.session.scalars(select(SupervisionGroup).order_by(SupervisionGroup.position)).all()
    return jsonify(SupervisionGroupSchema(many=True).dump(rows))


@api_route("/t/<town>/supervision-groups", method="POST", summary="Add a supervision group", tag="projects",
           request_schema=SupervisionGroupSchema, response_schema=SupervisionGroupSchema, status=201)
def create_supervision_group(town: str):
    enter_api_town(town, *STAFF)
    data = load_body(SupervisionGroupSchema())
    try:
        group = create_group(actor=current_user, data=data)
    except GroupError as err:
        raise field_error(err) from err
    db.session.commit()
    response = jsonify(SupervisionGroupSchema().dump(group))
    response.status_code = 201
    response.headers["Location"] = url_for("api.supervision_groups", town=town)
    return response

