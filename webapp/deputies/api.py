"""The roster in the JSON API, on the same services and schemas as the pages."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from ..access import STAFF
from ..api.core import ApiError, api_route, get_or_404, load_body, paginated
from ..api.views import enter_api_town
from ..extensions import db
from .models import Deputy
from .schemas import DeputyInputSchema, DeputySchema, RetireSchema
from .roster_io import import_roster
from .file import assemble, years_of
from .services import PhotoError, create_deputy, retire_deputy, roster_query, set_photo, update_deputy


def _deputy(deputy_id: int) -> Deputy:
    return get_or_404(Deputy, deputy_id)


@api_route("/t/<town>/deputies", summary="The roster (filters: q, level, constituency, grid, status)", tag="deputies",
           response_schema=DeputySchema, paginated=True)
def deputies(town: str):
    enter_api_town(town)
    args = {k: request.args.get(k) or None for k in ("q", "level", "constituency", "grid")}
    return paginated(roster_query(**args, status=request.args.get("status", "serving") or None),
                     DeputySchema(many=True))


@api_route("/t/<town>/deputies", method="POST", summary="Add a deputy", tag="deputies",
           request_schema=DeputyInputSchema, response_schema=DeputySchema, status=201)
def create_deputy_api(town: str):
    enter_api_town(town, *STAFF)
    deputy = create_deputy(actor=current_user, data=load_body(DeputyInputSchema()))
    db.session.commit()
    response = jsonify(DeputySchema().dump(deputy))
    response.status_code = 201
    response.headers["Location"] = url_for("api.deputy", town=town, deputy_id=deputy.id)
    return response


@api_route("/t/<town>/deputies/<int:deputy_id>", summary="One deputy", tag="deputies", response_schema=DeputySchema)
def deputy(town: str, deputy_id: int):
    enter_api_town(town)
    return jsonify(DeputySchema().dump(_deputy(deputy_id)))


@api_route("/t/<town>/deputies/<int:deputy_id>", method="PATCH", summary="Change a deputy (only the fields sent)",
           tag="deputies", request_schema=DeputyInputSchema, response_schema=DeputySchema)
def update_deputy_api(town: str, deputy_id: int):
    enter_api_town(town, *STAFF)
    deputy = _deputy(deputy_id)
    try:
        update_deputy(deputy, actor=current_user, data=load_body(DeputyInputSchema(), partial=True))
    except ValidationError as err:
        raise ApiError(422, "validation_failed", _("Some fields are not valid."),
                       {k: [str(m) for m in v] for k, v in err.normalized_messages().items()}) from err
    db.session.commit()
    return jsonify(DeputySchema().dump(deputy))


@api_route("/t/<town>/deputies/import", method="POST",
           summary="Import a roster workbook (multipart field 'file', the export's format): all rows or none",
           tag="deputies")
def import_deputies_api(town: str):
    enter_api_town(town, *STAFF)
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(400, "invalid_body", _("Send the workbook as the multipart field 'file'."))
    result = import_roster(upload.read(), actor=current_user)
    if not result.ok:
        db.session.rollback()
        fields: dict[str, list[str]] = {}
        for e in result.errors:
            fields.setdefault(f"{e.row}:{e.column}" if e.column else str(e.row), []).append(e.message)
        raise ApiError(422, "validation_failed", _("Nothing was imported: %(count)d problems to fix",
                                                   count=len(result.errors)), fields)
    db.session.commit()
    return jsonify({"created": result.created, "updated": result.updated, "unchanged": result.unchanged})


@api_route("/t/<town>/deputies/<int:deputy_id>/retire", method="POST",
           summary="Mark a deputy as having left (body: optional left_on); idempotent", tag="deputies",
           request_schema=RetireSchema, response_schema=DeputySchema)
def retire_deputy_api(town: str, deputy_id: int):
    enter_api_town(town, *STAFF)
    deputy = _deputy(deputy_id)
    body = request.get_json(silent=True)
    data = load_body(RetireSchema()) if isinstance(body, dict) else {"left_on": None}
    if retire_deputy(deputy, actor=current_user, left_on=data.get("left_on")):
        db.session.commit()
    return jsonify(DeputySchema().dump(deputy))


@api_route("/t/<town>/deputies/<int:deputy_id>/file", summary="The deputy's file (一人一档): entries by year and section",
           tag="deputies")
def deputy_file_api(town: str, deputy_id: int):
    enter_api_town(town)
    deputy = _deputy(deputy_id)
    assembled = assemble(deputy, years_of(deputy))
    return jsonify({
        "deputy": DeputySchema().dump(deputy),
        "sections": [{"key": s.key, "title": str(s.title)} for s in assembled.sections],
        "years": [{"year": y, "sections": {k: [{"date": e.day.isoformat(), "title": e.title, "detail": e.detail,
                                                "link": e.link} for e in entries]
                                           for k, entries in assembled.entries.get(y, {}).items()}}
                  for y in assembled.years],
    })


@api_route("/t/<town>/deputies/<int:deputy_id>/photo", method="PUT",
           summary="Replace the deputy's photo (multipart field 'photo': JPEG or PNG, at most 2 MB)", tag="deputies",
           status=204)
def deputy_photo_api(town: str, deputy_id: int):
    enter_api_town(town, *STAFF)
    deputy = _deputy(deputy_id)
    upload = request.files.get("photo")
    if upload is None:
        raise ApiError(400, "invalid_body", _("Send the photo as the multipart field 'photo'."))
    try:
        set_photo(deputy, actor=current_user, content=upload.read())
    except PhotoError as err:
        raise ApiError(422, "validation_failed", str(err.message), {"photo": [str(err.message)]}) from err
    db.session.commit()
    return "", 204
