"""Activities and attendance in the JSON API."""

from __future__ import annotations

from datetime import date

from flask import jsonify, request
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
from .models import Activity
from .schemas import ActivityInputSchema, ActivitySchema
from .services import ActivityError, check_in, create_activity


def _activity(activity_id: int) -> Activity:
    return get_or_404(Activity, activity_id)


@api_route("/t/<town>/activities", summary="Activities with attendance (filter: year)", tag="activities",
           response_schema=ActivitySchema, paginated=True)
def activities(town: str):
    enter_api_town(town)
    query = select(Activity).options(selectinload(Activity.type), selectinload(Activity.invitees)) \
        .order_by(Activity.day.desc(), Activity.id.desc())
    year = request.args.get("year", type=int)
    if year:
        query = query.where(Activity.day.between(date(year, 1, 1), date(year, 12, 31)))
    return paginated(query, ActivitySchema(many=True))


@api_route("/t/<town>/activities", method="POST", summary="Create an activity (type_id, theme, day, invitee_ids ...)",
           tag="activities", request_schema=ActivityInputSchema, response_schema=ActivitySchema, status=201)
def create_activity_api(town: str):
    enter_api_town(town, *STAFF)
    try:
        activity = create_activity(actor=current_user, data=load_body(ActivityInputSchema()))
    except ActivityError as err:
        raise field_error(err) from err
    db.session.commit()
    response = jsonify(ActivitySchema().dump(activity))
    response.status_code = 201
    return response


@api_route("/t/<town>/activities/<int:activity_id>", summary="One activity with its attendance", tag="activities",
           response_schema=ActivitySchema)
def activity(town: str, activity_id: int):
    enter_api_town(town)
    return jsonify(ActivitySchema().dump(_activity(activity_id)))


@api_route("/t/<town>/activities/<int:activity_id>/attendance", method="POST",
           summary="Check a deputy in (body: deputy_id); a second check-in changes nothing", tag="activities",
           request_schema=AssignSchema, response_schema=ActivitySchema)
def activity_attendance_api(town: str, activity_id: int):
    enter_api_town(town, *STAFF)
    found = _activity(activity_id)
    deputy = db.session.get(Deputy, load_body(AssignSchema())["deputy_id"])
    if deputy is None:
        raise ApiError(422, "validation_failed", _("Some fields are not valid."), {"deputy_id": [_("Choose a deputy.")]})
    if check_in(found, deputy, by="staff", actor=current_user):
        db.session.commit()
    return jsonify(ActivitySchema().dump(found))
