"""Grids in the JSON API."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import STAFF
from ..api.core import ApiError, api_route, field_error, get_or_404, load_body, paginated
from ..api.views import enter_api_town
from ..extensions import db
from .models import Grid, GridHead, GridKind
from .schemas import AssignSchema, GridHeadInputSchema, GridInputSchema, GridSchema
from .services import GridError, add_head, assign_deputy, create_grid, remove_head, unassign_deputy


@api_route("/t/<town>/grids", summary="The town's grids (filters: kind, community)", tag="grids",
           response_schema=GridSchema, paginated=True)
def grids(town: str):
    enter_api_town(town)
    query = select(Grid).options(selectinload(Grid.heads), selectinload(Grid.deputies)) \
        .order_by(Grid.community, Grid.kind, Grid.id)
    if request.args.get("kind") in GridKind.__members__:
        query = query.where(Grid.kind == GridKind(request.args["kind"]))
    if request.args.get("community"):
        query = query.where(Grid.community == request.args["community"])
    return paginated(query, GridSchema(many=True))


@api_route("/t/<town>/grids", method="POST", summary="Add a grid", tag="grids", request_schema=GridInputSchema,
           response_schema=GridSchema, status=201)
def create_grid_api(town: str):
    enter_api_town(town, *STAFF)
    try:
        grid = create_grid(actor=current_user, data=load_body(GridInputSchema()))
    except GridError as err:
        raise field_error(err) from err
    db.session.commit()
    response = jsonify(GridSchema().dump(grid))
    response.status_code = 201
    response.headers["Location"] = url_for("api.grid", town=town, grid_id=grid.id)
    return response


@api_route("/t/<town>/grids/<int:grid_id>", summary="One grid with its heads and deputies", tag="grids",
           response_schema=GridSchema)
def grid(town: str, grid_id: int):
    enter_api_town(town)
    return jsonify(GridSchema().dump(_grid(grid_id)))


@api_route("/t/<town>/grids/<int:grid_id>/heads", method="POST", summary="Add a grid head", tag="grids",
           request_schema=GridHeadInputSchema, response_schema=GridSchema, status=201)
def add_grid_head_api(town: str, grid_id: int):
    enter_api_town(town, *STAFF)
    found = _grid(grid_id)
    add_head(found, actor=current_user, data=load_body(GridHeadInputSchema()))
    db.session.commit()
    response = jsonify(GridSchema().dump(found))
    response.status_code = 201
    return response


@api_route("/t/<town>/grids/<int:grid_id>/deputies", method="POST",
           summary="Assign a deputy to the grid (body: deputy_id); idempotent", tag="grids",
           request_schema=AssignSchema, response_schema=GridSchema)
def assign_grid_deputy_api(town: str, grid_id: int):
    from ..deputies.models import Deputy

    enter_api_town(town, *STAFF)
    found = _grid(grid_id)
    deputy = db.session.get(Deputy, load_body(AssignSchema())["deputy_id"])
    if deputy is None:
        raise ApiError(422, "validation_failed", _("Some fields are not valid."), {"deputy_id": [_("Choose a deputy.")]})
    try:
        changed = assign_deputy(found, deputy, actor=current_user)
    except GridError as err:
        raise field_error(err) from err
    if changed:
        db.session.commit()
    return jsonify(GridSchema().dump(found))


def _grid(grid_id: int) -> Grid:
    return get_or_404(Grid, grid_id)


@api_route("/t/<town>/grids/<int:grid_id>/heads/<int:head_id>", method="DELETE", summary="Remove a grid head",
           tag="grids", status=204)
def remove_grid_head_api(town: str, grid_id: int, head_id: int):
    enter_api_town(town, *STAFF)
    head = get_or_404(GridHead, head_id)
    if head.grid_id != _grid(grid_id).id:
        raise ApiError(404, "not_found", _("Not found."))
    remove_head(head, actor=current_user)
    db.session.commit()
    return "", 204


@api_route("/t/<town>/grids/<int:grid_id>/deputies/<int:deputy_id>", method="DELETE",
           summary="Take a deputy off the grid; idempotent", tag="grids", status=204)
def unassign_grid_deputy_api(town: str, grid_id: int, deputy_id: int):
    from ..deputies.models import Deputy

    enter_api_town(town, *STAFF)
    found, deputy = _grid(grid_id), get_or_404(Deputy, deputy_id)
    if unassign_deputy(found, deputy, actor=current_user):
        db.session.commit()
    return "", 204
