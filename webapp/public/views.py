"""The station's public face, for constituents on a phone: no login, nothing private.

A deputy's phone number appears only when the deputy chose to show it; birth year, party
and the like never appear here."""

from __future__ import annotations

import hmac

from flask import Response, abort, g, render_template
from sqlalchemy import select

from tenants.binding import TownBinding
from tenants.models import Town, TownStatus

from ..deputies.models import Deputy, DeputyLevel, DeputyStatus
from ..deputies.services import has_photo, photo_of
from ..extensions import db
from ..station.services import profile
from ..towns.services import reception_rule_text
from . import bp


@bp.url_value_preprocessor
def _enter(endpoint, values):
    town = db.session.scalar(select(Town).where(Town.slug == values.pop("town")))
    if town is None or town.status != TownStatus.active:
        abort(404)
    db.session().bind_town(TownBinding.of(town))
    g.town = town
    g.public = True


@bp.url_defaults
def _town(endpoint, values):
    if "town" not in values and g.get("town") is not None:
        values["town"] = g.town.slug


@bp.get("/")
def station():
    deputies = db.session.scalars(select(Deputy).where(Deputy.status == DeputyStatus.serving)
                                  .order_by(Deputy.name_pinyin)).all()
    by_level = {level: [d for d in deputies if d.level == level] for level in DeputyLevel}
    from ..receptions.services import next_reception

    return render_template("public/station.html", station=profile(), by_level=by_level, count=len(deputies),
                           reception=reception_rule_text(g.town.settings.get("reception_day", {})),
                           next_day=next_reception())


@bp.get("/d/<int:deputy_id>")
def deputy(deputy_id: int):
    found = db.session.get(Deputy, deputy_id)
    if found is None or found.status != DeputyStatus.serving:
        abort(404)
    from ..grids.models import Grid

    grids = [g_ for g_ in db.session.scalars(select(Grid).where(Grid.deputies.contains(found)).order_by(Grid.community))]
    return render_template("public/deputy.html", deputy=found, station=profile(), grids=grids,
                           has_photo=has_photo(found.id))


@bp.get("/d/<int:deputy_id>/photo")
def deputy_photo(deputy_id: int):
    found = db.session.get(Deputy, deputy_id)
    photo = photo_of(deputy_id) if found is not None and found.status == DeputyStatus.serving else None
    if photo is None:
        abort(404)
    return Response(photo.content, mimetype=photo.mimetype, headers={"Cache-Control": "public, max-age=3600"})


@bp.get("/calendar/<town_token>.ics")
def town_calendar(town_token: str):
    """The town's reception days as iCalendar (the address is the secret)."""
    from ..receptions.ical import town_feed

    expected = (g.town.settings or {}).get("calendar_token")
    if not expected or not hmac.compare_digest(expected, town_token):
        abort(404)
    return Response(town_feed(g.town), mimetype="text/calendar")


@bp.get("/calendar/d/<deputy_token>.ics")
def deputy_calendar(deputy_token: str):
    """One deputy's duty days as iCalendar."""
    from ..receptions.ical import deputy_feed

    found = db.session.scalar(select(Deputy).where(Deputy.calendar_token == deputy_token))
    if found is None:
        abort(404)
    return Response(deputy_feed(g.town, found), mimetype="text/calendar")


from . import opinions as _opinions  # noqa: E402,F401
from . import ballots as _ballots  # noqa: E402,F401
