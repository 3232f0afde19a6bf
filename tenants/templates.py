"""Onboarding templates: a versioned bundle of a town's configuration, shipped as JSON."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

from .errors import UnknownTemplate

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


@functools.cache
def load(key: str) -> dict[str, Any]:
    path = TEMPLATE_DIR / f"{key}.json"
    if not key.isidentifier() or not path.exists():
        raise UnknownTemplate(_l("There is no onboarding template called %(template)s.", template=key), field="template")
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def available() -> list[dict[str, Any]]:
    return [load(p.stem) for p in sorted(TEMPLATE_DIR.glob("*.json"))]
