"""What every document shares: the town the session is bound to, the station's name, dates
and quarters as people write them, the language."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from ..extensions import db
from ..i18n import localized


def bound_town():
    """The town the session is bound to (a request's or `bound_to`'s)."""
    from tenants.binding import TownNotBound
    from tenants.models import Town

    binding = getattr(db.session(), "town", None)
    if binding is None:
        raise TownNotBound("a document of a town needs the session bound to the town")
    return db.session.get(Town, binding.town_id)


def station_name(town) -> str:
    return _("%(town)s deputies' liaison station", town=localized(town))


def place_name(town) -> str:
    """"灵宝市 · 朱阳镇": the county and the town."""
    county = town.region.parent if town.region is not None else None
    return f"{localized(county)} · {localized(town)}" if county is not None else localized(town)


def long_date(day: date) -> str:
    """2026年11月28日 in Chinese, Nov 28, 2026 in English (a moment: in the town's time zone)."""
    return format_date(day, "medium")


def quarter_name(year: int, quarter: int) -> str:
    return _("Q%(n)d %(year)d", n=quarter, year=year)


def is_english() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "en"
