"""Studios in the JSON API."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..api.core import api_route, paginated
from ..api.views import enter_api_town
from .models import Studio
from .schemas import StudioSchema


@api_route("/t/<town>/studios", summary="Areas and their lead-goose studios, with villages and members",
           tag="station", response_schema=StudioSchema, paginated=True)
def studios(town: str):
    enter_api_town(town)
    query = select(Studio).options(selectinload(Studio.members)).order_by(Studio.area, Studio.name)
    return paginated(query, StudioSchema(many=True))


