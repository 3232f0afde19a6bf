"""Studios in the JSON API."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import STAFF
from ..api.core import ApiError, api_route, field_error, get_or_404, load_body, paginated
from ..api.views import enter_api_town
from ..deputies.models import Deputy
from ..extensions import db
from ..grids.schemas import AssignSchema
from .models import Studio
from .schemas import StudioInputSchema, StudioSchema
from .services import StudioError, add_member, create_studio, remove_member


@api_route("/t/<town>/studios", summary="Areas and their lead-goose studios, with villages and members",
           tag="station", response_schema=StudioSchema, paginated=True)
def studios(town: str):
    enter_api_town(town)
    query = select(Studio).options(selectinload(Studio.members)).order_by(Studio.area, Studio.name)
    return paginated(query, StudioSchema(many=True))




@api_route("/t/<town>/studios", method="POST", summary="Add a studio (villages: one per line or separated by 、)",
           tag="station", request_schema=StudioInputSchema, response_schema=StudioSchema, status=201)
def create_studio_api(town: str):
    enter_api_town(town, *STAFF)
    try:
        studio = create_studio(actor=current_user, data=load_body(StudioInputSchema()))
    except StudioError as err:
        raise field_error(err) from err
    db.session.commit()
    response = jsonify(StudioSchema().dump(studio))
    response.status_code = 201
    return response


@api_route("/t/<town>/studios/<int:studio_id>/members", method="POST",
           summary="Add a member deputy (body: deputy_id); idempotent", tag="station",
           request_schema=AssignSchema, response_schema=StudioSchema)
def add_studio_member_api(town: str, studio_id: int):
    enter_api_town(town, *STAFF)
    studio, deputy = _studio(studio_id), db.session.get(Deputy, load_body(AssignSchema())["deputy_id"])
    if deputy is None:
        raise ApiError(422, "validation_failed", _("Some fields are not valid."), {"deputy_id": [_("Choose a deputy.")]})
    try:
        if add_member(studio, deputy, actor=current_user):
            db.session.commit()
    except StudioError as err:
        raise field_error(err) from err
    return jsonify(StudioSchema().dump(studio))


@api_route("/t/<town>/studios/<int:studio_id>/members/<int:deputy_id>", method="DELETE",
           summary="Remove a member deputy; idempotent", tag="station", status=204)
def remove_studio_member_api(town: str, studio_id: int, deputy_id: int):
    enter_api_town(town, *STAFF)
    studio, deputy = _studio(studio_id), get_or_404(Deputy, deputy_id)
    if remove_member(studio, deputy, actor=current_user):
        db.session.commit()
    return "", 204


def _studio(studio_id: int) -> Studio:
    return get_or_404(Studio, studio_id)
