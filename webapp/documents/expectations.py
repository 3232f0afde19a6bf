"""What each expectation of the compliance scorecard (`committees.rollups.scorecard`) is
called, what it aims at and how its value reads. The committee's scorecard page shows only
the counts of met / partly / missed, so the names live here, beside the keys' meaning."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from ..committees.rollups import THRESHOLDS


class _Named:  # localized() reads name / name_en
    def __init__(self, name: str, name_en: str | None):
        self.name, self.name_en = name, name_en


def activity_kind_names(town) -> dict[str, str]:
    """Activity type code -> name in the current language: the town's own types when the
    session is bound to `town`, else the town's onboarding template (a committee's export)."""
    from ..extensions import db
    from ..i18n import localized

    binding = getattr(db.session(), "town", None)
    if binding is not None and binding.town_id == town.id:
        from sqlalchemy import select

        from ..activities.models import ActivityType

        return {t.code: localized(t) for t in db.session.scalars(select(ActivityType))}
    from tenants.errors import UnknownTemplate
    from tenants.templates import load

    try:
        bundle = load(town.template, town.template_version)
    except (UnknownTemplate, LookupError):
        return {}
    return {t["code"]: localized(_Named(t["name"], t.get("name_en"))) for t in bundle.get("activity_types", [])}


def expectation_label(key: str, kinds: dict[str, str] | None = None) -> str:
    """The name of a scorecard item's key, e.g. "cadence:joint_meeting" -> 季联席按期开展."""
    area, _sep, rest = key.partition(":")
    if area == "cadence":
        return _("%(kind)s held as expected", kind=(kinds or {}).get(rest, rest))
    names = {
        "opinions:on_time_pct": _("Opinions answered on time"),
        "opinions:satisfaction_pct": _("Constituents satisfied with the handling"),
        "findings:overdue": _("Inspection findings overdue for rectification"),
        "checkpoints": _("Briefings and inspections of key projects missed"),
        "deputies:participation_pct": _("Deputies taking part in the station's work"),
    }
    return names.get(key, key)


def expectation_target(key: str, target=None) -> str:
    """What meets the expectation (partly met is below it): the item's own target when the
    scorecard gave one (the town's expectations), else the default."""
    if key.startswith("cadence:"):
        return _("Every period")
    field = key.partition(":")[2]
    if field in THRESHOLDS:
        return f"≥ {THRESHOLDS[field][0] if target is None else target}%"
    return f"≤ {target}" if target else "0"


def expectation_value(item: dict[str, Any]) -> str:
    """An item's value as it reads: periods met, a percentage or a count."""
    value = item.get("value")
    if value is None:
        return "—"
    if item["key"].startswith("cadence:"):
        return _("%(value)s periods met", value=value)
    if item["key"].endswith("_pct"):
        return f"{value}%"
    return str(value)
