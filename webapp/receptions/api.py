"""Reception days and the rota in the JSON API."""

from __future__ import annotations

from datetime import date

from flask import g, jsonify, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import STAFF
from ..api.core import ApiError, api_route, get_or_404, load_body, paginated
from ..api.views import enter_api_town
from ..extensions import db
from .models import ReceptionDay, RotaEntry
from .schemas import ReceptionDaySchema, RotaRequestSchema
from .services import RotaError, generate_rota


@api_route("/t/<town>/reception-days", summary="Reception days with the deputies on duty (filter: year)",
           tag="receptions", response_schema=ReceptionDaySchema, paginated=True)
def reception_days(town: str):
    enter_api_town(town)
    query = select(ReceptionDay).options(selectinload(ReceptionDay.deputies)).order_by(ReceptionDay.day)
    year = request.args.get("year", type=int)
    if year:
        query = query.where(ReceptionDay.day.between(date(year, 1, 1), date(year, 12, 31)))
    return paginated(query, ReceptionDaySchema(many=True))


@api_route("/t/<town>/reception-days/rota", method="POST",
           summary="Generate a year's rota (body: year, extra_deputy_ids); locked months stay", tag="receptions",
           request_schema=RotaRequestSchema, response_schema=ReceptionDaySchema, many=True)
def generate_rota_api(town: str):
    enter_api_town(town, *STAFF)
    data = load_body(RotaRequestSchema())
    try:
        days = generate_rota(g.town, data["year"], actor=current_user, extra_deputy_ids=data["extra_deputy_ids"])
    except RotaError as err:
        db.session.rollback()
        raise ApiError(422, "validation_failed", str(err.message), {err.field or "year": [str(err.message)]}) from err
    db.session.commit()
    return jsonify(ReceptionDaySchema(many=True).dump(days))


@api_route("/t/<town>/reception-days/<int:day_id>/entries", summary="The rota entries of a day: notice, answer, attendance",
           tag="receptions")
def rota_entries_api(town: str, day_id: int):
    enter_api_town(town)
    get_or_404(ReceptionDay, day_id)
    entries = db.session.scalars(select(RotaEntry).where(RotaEntry.reception_day_id == day_id)).all()
    return jsonify([{"deputy_id": e.deputy_id, "notified_at": e.notified_at.isoformat() if e.notified_at else None,
                     "notified_by": e.notified_by, "response": e.response.value if e.response else None,
                     "attended": e.attended} for e in entries])
