"""Language: Chinese first, English complete. The choice is remembered on the user."""

from __future__ import annotations

from flask import g, has_request_context, session
from flask_login import current_user

from .config import DEFAULT_LOCALE, LOCALES


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT_LOCALE
    chosen = session.get("lang")
    if chosen in LOCALES:
        return chosen
    user = current_user
    if user and user.is_authenticated and user.locale in LOCALES:
        return user.locale
    town = g.get("town")
    if town is not None and town.locale in LOCALES:
        return town.locale
    return DEFAULT_LOCALE


def localized(obj, attr: str = "name") -> str:
    """A record's name in the current language: `name` is Chinese, `name_en` English."""
    from flask_babel import get_locale

    locale = get_locale()
    if locale is not None and locale.language == "en":
        return getattr(obj, f"{attr}_en", None) or getattr(obj, attr)
    return getattr(obj, attr)


def labels() -> dict:
    """Display names of the enumerations, for templates (`label('role', m.role)`)."""
    from flask_babel import lazy_gettext as _l

    return {
        "role": {"station_admin": _l("Station admin"), "staff": _l("Staff"), "deputy": _l("Deputy"),
                 "presidium": _l("Presidium member"), "member": _l("Committee member")},
        "cadence": {"weekly": _l("weekly"), "monthly": _l("monthly"), "quarterly": _l("quarterly"),
                    "half_yearly": _l("every half year"), "yearly": _l("yearly"), "as_needed": _l("as needed")},
        "grade": {"excellent": _l("Excellent"), "competent": _l("Competent"),
                  "basically_competent": _l("Basically competent"), "incompetent": _l("Incompetent")},
        "source": {"computed": _l("from records"), "entered": _l("scored by people")},
        "status": {"active": _l("Active"), "suspended": _l("Suspended"), "archived": _l("Archived")},
        "level": {"town": _l("Town deputy"), "county": _l("County deputy"), "prefecture": _l("Prefecture deputy"),
                  "province": _l("Provincial deputy"), "national": _l("National deputy")},
        "gender": {"male": _l("Male"), "female": _l("Female")},
        "deputy_status": {"serving": _l("Serving"), "left": _l("Left")},
        "grid_kind": {"residential": _l("Residential"), "shop": _l("Street shops")},
        "response": {"confirmed": _l("Will come"), "declined": _l("Cannot come")},
        "channel": {"reception_day": _l("Reception day"), "visit": _l("Deputy's visit"), "grid": _l("Grid"),
                    "hotline": _l("12345 hotline"), "web_form": _l("Online form"),
                    "forum": _l("Forum or deliberation"), "staff": _l("Entered by staff"),
                    "deputy": _l("Deputy's suggestion")},
        "unit_kind": {"department": _l("Town department"), "village": _l("Village or community"),
                      "company": _l("Company"), "other": _l("Other")},
        "satisfaction": {"satisfied": _l("Satisfied"), "basically": _l("Basically satisfied"),
                         "not_satisfied": _l("Not satisfied")},
        "congress_level": {"town": _l("Town congress"), "county": _l("County congress"),
                           "prefecture": _l("City congress"), "province": _l("Provincial congress"),
                           "national": _l("National congress")},
        "feedback_how": {"phone": _l("By phone"), "visit": _l("Home visit"), "in_person": _l("In person"),
                         "sms": _l("Text message"), "letter": _l("Letter"), "public_page": _l("On the public page")},
    }


def label(kind: str, value) -> str:
    key = getattr(value, "value", value)
    return str(labels()[kind].get(key, key))
