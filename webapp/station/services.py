"""The station's profile. Callers commit."""

from __future__ import annotations

from typing import Any

from ..audit.services import record_town
from ..extensions import db
from .models import StationProfile

FIELDS = ("address", "opening_hours", "phone", "head", "deputy_heads", "staff", "intro", "latitude", "longitude")


def profile() -> StationProfile:
    """The bound town's profile (an empty one until someone fills it in)."""
    return db.session.get(StationProfile, 1) or StationProfile(id=1)


def save_profile(*, actor, data: dict[str, Any]) -> dict[str, list]:
    """Write the given fields; the town's log records what changed."""
    current = profile()
    changes = {}
    for key in FIELDS:
        if key in data and getattr(current, key) != data[key]:
            changes[key] = [None if getattr(current, key) is None else str(getattr(current, key)),
                            None if data[key] is None else str(data[key])]
            setattr(current, key, data[key])
    if changes:
        db.session.add(current)
        record_town("station.update", actor=actor, target="station", details={"changes": changes})
    return changes
