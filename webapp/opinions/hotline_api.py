"""The 12345 hotline feed in the JSON API: the hotline system pushes one case at a time,
and a case number the town has already is answered with that opinion, unchanged. The feed
retries after a timeout, and two of its workers may send the same case at once: the
unique case number decides, never a second opinion."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user
from marshmallow import Schema, fields
from sqlalchemy.exc import IntegrityError

from ..access import STAFF
from ..api.core import api_route, field_error, load_body
from ..api.views import enter_api_town
from ..extensions import db
# the input schema lives with the import (hotline.py): a row of the export and a pushed case
# pass the same allow-list
from .hotline import (HotlineCaseInputSchema, HotlineError, active_categories, existing_case, match_category,
                      opinion_data)
from .models import Opinion, State
from .services import OpinionError, create_opinion


class HotlineCaseSchema(Schema):
    id = fields.Integer(dump_only=True)
    case_no = fields.String(attribute="hotline_case_no", dump_only=True)
    state = fields.Enum(State, by_value=True, dump_only=True)
    #: what the caller can follow the opinion by on the station's public page
    receipt_code = fields.String(dump_only=True, allow_none=True)


def _answer(opinion: Opinion, status: int):
    response = jsonify(HotlineCaseSchema().dump(opinion))
    response.status_code = status
    return response


@api_route("/t/<town>/hotline/cases", method="POST",
           summary="Add a 12345 hotline case; idempotent on case_no (201 when new, 200 with the opinion already there)",
           tag="opinions", request_schema=HotlineCaseInputSchema, response_schema=HotlineCaseSchema, status=201)
def hotline_case_api(town: str):
    enter_api_town(town, *STAFF)
    case = load_body(HotlineCaseInputSchema())
    found = existing_case(case["case_no"])
    if found is not None:
        return _answer(found, 200)
    try:
        category = match_category(case.get("category"), active_categories())
    except HotlineError as err:
        raise field_error(err) from err
    try:
        with db.session.begin_nested():  # a lost race rolls back to here, the request goes on
            opinion = create_opinion(actor=current_user, data=opinion_data(case, category))
    except OpinionError as err:
        raise field_error(err) from err
    except IntegrityError:
        found = existing_case(case["case_no"])  # committed by the request that won
        if found is None:
            raise
        return _answer(found, 200)
    db.session.commit()
    return _answer(opinion, 201)
