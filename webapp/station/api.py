"""The station's profile in the JSON API."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from ..access import STAFF
from ..api.core import api_route, load_body
from ..api.views import enter_api_town
from ..extensions import db
from .schemas import StationProfileSchema
from .services import profile, save_profile


@api_route("/t/<town>/station", summary="The station's profile", tag="station", response_schema=StationProfileSchema)
def station(town: str):
    enter_api_town(town)
    return jsonify(StationProfileSchema().dump(profile()))


@api_route("/t/<town>/station", method="PATCH", summary="Change the station's profile (only the fields sent)",
           tag="station", request_schema=StationProfileSchema, response_schema=StationProfileSchema)
def update_station(town: str):
    enter_api_town(town, *STAFF)
    save_profile(actor=current_user, data=load_body(StationProfileSchema(), partial=True))
    db.session.commit()
    return jsonify(StationProfileSchema().dump(profile()))
