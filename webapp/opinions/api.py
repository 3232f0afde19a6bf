"""Opinions, their steps, suggestions, units and figures in the JSON API. A step posted
with the same `Idempotency-Key` header twice applies once (the second answer says so)."""

from __future__ import annotations

from datetime import date

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, fields
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import STAFF
from ..accounts.models import TownRole
from ..api.core import ApiError, api_route, field_error, get_or_404, load_body, paginated
from ..api.views import enter_api_town
from ..extensions import db
from .models import Channel, Kind, Opinion, ResponsibleUnit, State
from .schemas import (OpinionDetailSchema, OpinionInputSchema, OpinionSchema, SuggestionInputSchema,
                      TransitionSchema, UnitInputSchema, UnitSchema)
from .services import OpinionError, create_opinion, filtered, transition
from .stats import statistics
from .views import _scoped, my_deputy, reads_all, shows_phone


def _conflict(err: OpinionError) -> ApiError:
    if err.field == "action":
        return ApiError(409, "invalid_transition", str(err.message))
    return field_error(err)


def _list(kind: Kind):
    args = {k: request.args.get(k) for k in ("state", "channel", "due", "q")}
    args |= {k: request.args.get(k, type=int) for k in ("category_id", "unit_id", "deputy_id", "year")}
    if args["state"] and args["state"] not in State.__members__:
        raise ApiError(422, "validation_failed", _("Some fields are not valid."), {"state": [_("Unknown state.")]})
    query = _scoped(filtered(select(Opinion).where(Opinion.kind == kind), args)) \
        .options(selectinload(Opinion.category), selectinload(Opinion.seconders)) \
        .order_by(Opinion.received_on.desc(), Opinion.id.desc())
    return paginated(query, OpinionSchema(many=True, show_phone=_staff()))


def _staff() -> bool:
    from flask import g

    return g.access.has(*STAFF)


def _visible(opinion_id: int) -> Opinion:
    opinion = get_or_404(Opinion, opinion_id)
    if not reads_all():
        deputy = my_deputy()
        if deputy is None or opinion.deputy_id != deputy.id:
            raise ApiError(404, "not_found", _("Not found."))
    return opinion


def _created(opinion: Opinion):
    response = jsonify(OpinionDetailSchema(show_phone=True).dump(opinion))
    response.status_code = 201
    return response


@api_route("/t/<town>/opinions", summary="Constituents' opinions (filters: state, channel, category_id, unit_id, "
           "deputy_id, due=overdue|soon, year, q)", tag="opinions", response_schema=OpinionSchema, paginated=True)
def opinions(town: str):
    enter_api_town(town)
    return _list(Kind.opinion)


@api_route("/t/<town>/opinions", method="POST", summary="Record an opinion (staff)", tag="opinions",
           request_schema=OpinionInputSchema, response_schema=OpinionDetailSchema, status=201)
def create_opinion_api(town: str):
    enter_api_town(town, *STAFF)
    try:
        opinion = create_opinion(actor=current_user, data=load_body(OpinionInputSchema()))
    except OpinionError as err:
        raise field_error(err) from err
    db.session.commit()
    return _created(opinion)


@api_route("/t/<town>/opinions/<int:opinion_id>", summary="One opinion or suggestion with its history",
           tag="opinions", response_schema=OpinionDetailSchema)
def opinion(town: str, opinion_id: int):
    enter_api_town(town)
    found = _visible(opinion_id)
    return jsonify(OpinionDetailSchema(show_phone=shows_phone(found)).dump(found))


@api_route("/t/<town>/opinions/<int:opinion_id>/transitions", method="POST",
           summary="One step: accept, merge, decline, assign, reply, request_extension, decide_extension, answer, "
                   "feedback, close, reopen (send Idempotency-Key to make a retry safe)",
           tag="opinions", request_schema=TransitionSchema, response_schema=OpinionDetailSchema)
def opinion_transition(town: str, opinion_id: int):
    enter_api_town(town, *STAFF)
    found = get_or_404(Opinion, opinion_id)
    body = load_body(TransitionSchema())
    key = (request.headers.get("Idempotency-Key") or "").strip()[:64] or None
    try:
        applied = transition(found, body.pop("action"), actor=current_user, data=body, nonce=key)
    except OpinionError as err:
        db.session.rollback()
        raise _conflict(err) from err
    db.session.commit()
    found = db.session.get(Opinion, opinion_id)
    response = jsonify(OpinionDetailSchema(show_phone=True).dump(found))
    response.headers["Idempotent-Replayed"] = "false" if applied else "true"
    return response


@api_route("/t/<town>/suggestions", summary="Deputies' suggestions and motions (same filters as opinions)",
           tag="opinions", response_schema=OpinionSchema, paginated=True)
def suggestions(town: str):
    enter_api_town(town)
    return _list(Kind.suggestion)


@api_route("/t/<town>/suggestions", method="POST",
           summary="File a suggestion (a deputy files their own; staff give deputy_id)", tag="opinions",
           request_schema=SuggestionInputSchema, response_schema=OpinionDetailSchema, status=201)
def create_suggestion_api(town: str):
    enter_api_town(town, TownRole.station_admin, TownRole.staff, TownRole.deputy)
    data = load_body(SuggestionInputSchema())
    if not _staff():
        mine = my_deputy()
        if mine is None:
            raise ApiError(403, "forbidden", _("Your role in this town does not allow this."))
        data["deputy_id"] = mine.id
    try:
        found = create_opinion(actor=current_user, data={**data, "kind": Kind.suggestion, "channel": Channel.deputy})
    except OpinionError as err:
        raise field_error(err) from err
    db.session.commit()
    return _created(found)


@api_route("/t/<town>/units", summary="Responsible units (责任单位) with their contacts", tag="opinions",
           response_schema=UnitSchema, many=True)
def units(town: str):
    enter_api_town(town)
    rows = db.session.scalars(select(ResponsibleUnit).order_by(ResponsibleUnit.kind, ResponsibleUnit.name)).all()
    return jsonify(UnitSchema(many=True).dump(rows))


def _unique_name(name: str, unit_id: int | None = None) -> None:
    clash = select(ResponsibleUnit.id).where(ResponsibleUnit.name == name)
    if unit_id is not None:
        clash = clash.where(ResponsibleUnit.id != unit_id)
    if db.session.scalar(clash):
        raise ApiError(422, "validation_failed", _("Some fields are not valid."),
                       {"name": [_("A unit called %(name)s already exists.", name=name)]})


@api_route("/t/<town>/units", method="POST", summary="Add a responsible unit (staff)", tag="opinions",
           request_schema=UnitInputSchema, response_schema=UnitSchema, status=201)
def create_unit_api(town: str):
    enter_api_town(town, *STAFF)
    data = load_body(UnitInputSchema())
    _unique_name(data["name"])
    unit = ResponsibleUnit(**data)
    db.session.add(unit)
    db.session.flush()
    from ..audit.services import record_town

    record_town("unit.create", actor=current_user, target=f"{unit.name} #{unit.id}")
    db.session.commit()
    response = jsonify(UnitSchema().dump(unit))
    response.status_code = 201
    return response


@api_route("/t/<town>/units/<int:unit_id>", method="PUT", summary="Change a unit's name, contact or whether in use",
           tag="opinions", request_schema=UnitInputSchema, response_schema=UnitSchema)
def update_unit_api(town: str, unit_id: int):
    enter_api_town(town, *STAFF)
    unit = get_or_404(ResponsibleUnit, unit_id)
    data = load_body(UnitInputSchema())
    _unique_name(data["name"], unit.id)
    for key, value in data.items():
        setattr(unit, key, value)
    from ..audit.services import record_town

    record_town("unit.update", actor=current_user, target=f"{unit.name} #{unit.id}")
    db.session.commit()
    return jsonify(UnitSchema().dump(unit))


class FiguresSchema(Schema):
    received = fields.Integer()
    accepted = fields.Integer()
    resolved = fields.Integer()
    on_time = fields.Integer()
    on_time_pct = fields.Float(allow_none=True)
    closed = fields.Integer()
    days_to_close = fields.Float(allow_none=True)
    rated = fields.Integer()
    satisfied = fields.Integer()
    satisfaction_pct = fields.Float(allow_none=True)


class StatisticsSchema(Schema):
    start = fields.Date()
    end = fields.Date()
    kind = fields.Function(lambda s: s.kind.value)
    total = fields.Nested(FiguresSchema)
    by_channel = fields.Dict(keys=fields.String(), values=fields.Nested(FiguresSchema))
    by_category = fields.Function(lambda s: {str(k): FiguresSchema().dump(v) for k, v in s.by_category.items()})
    by_unit = fields.Function(lambda s: {str(k): FiguresSchema().dump(v) for k, v in s.by_unit.items()})
    by_deputy = fields.Function(lambda s: {str(k): FiguresSchema().dump(v) for k, v in s.by_deputy.items()})
    by_month = fields.Dict(keys=fields.String(), values=fields.Nested(FiguresSchema))


@api_route("/t/<town>/opinions/stats", summary="Figures for a year (year, kind=opinion|suggestion): received, "
           "accepted, resolved, on time, days to close, satisfaction; by channel, category, unit, deputy, month",
           tag="opinions", response_schema=StatisticsSchema)
def opinion_stats(town: str):
    enter_api_town(town)
    if not reads_all():
        raise ApiError(403, "forbidden", _("Your role in this town does not allow this."))
    year = request.args.get("year", type=int) or date.today().year
    kind = Kind.suggestion if request.args.get("kind") == "suggestion" else Kind.opinion
    return jsonify(StatisticsSchema().dump(statistics(date(year, 1, 1), date(year, 12, 31), kind=kind)))


from . import hotline_api as _hotline_api  # noqa: E402,F401
