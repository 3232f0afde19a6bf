"""Onboarding templates: a versioned bundle of a town's configuration — the reception-day rule
and holiday policy, activity types and cadence, supervision groups, the five ones' settings,
the evaluation template, opinion categories and deadlines, the responsible-unit skeleton.

Two kinds: shipped with the code (JSON files in tenants/templates/, read-only) and stored in
the platform (`TownTemplate`: saved from a town, made or imported by a committee). A stored
version never changes; saving again makes the next version. Every bundle is checked by
`validate` before it is stored or used."""

from __future__ import annotations

import functools
import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

from .errors import InvalidTemplate, UnknownTemplate

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
_KEY = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
#: what a bundle may hold; anything else is refused (a file is an allow-list, not a dump)
SECTIONS = ("key", "version", "name", "name_en", "description", "description_en", "settings", "supervision_groups",
            "activity_types", "opinion_categories", "responsible_units", "evaluation")
#: the format of an exported template file
FILE_FORMAT = "liaison-town-template/1"


@functools.cache
def builtin(key: str) -> dict[str, Any] | None:
    path = TEMPLATE_DIR / f"{key}.json"
    if not key.isidentifier() or not path.exists():
        return None
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def builtin_keys() -> list[str]:
    return [p.stem for p in sorted(TEMPLATE_DIR.glob("*.json"))]


@functools.lru_cache(maxsize=256)
def _stored(key: str, version: int | None) -> str | None:
    """A stored template's bundle as JSON (a version never changes, so it is cached)."""
    from sqlalchemy import select

    from webapp.extensions import db

    from .models import TownTemplate

    query = select(TownTemplate.bundle).where(TownTemplate.key == key)
    query = query.where(TownTemplate.version == version) if version else query.order_by(TownTemplate.version.desc())
    with db.engine.connect() as conn:
        bundle = conn.execute(query.limit(1)).scalar()
    return json.dumps(bundle, ensure_ascii=False) if bundle is not None else None


def load(key: str, version: int | None = None) -> dict[str, Any]:
    """The bundle of a shipped template, or of a stored one (its latest version unless given)."""
    shipped = builtin(key)
    if shipped is not None:
        return shipped
    stored = _stored(key, version) if _KEY.match(key or "") else None
    if stored is None:
        raise UnknownTemplate(_l("There is no onboarding template called %(template)s.", template=key),
                              field="template")
    return json.loads(stored)


def available() -> list[dict[str, Any]]:
    """The shipped templates."""
    return [builtin(key) for key in builtin_keys()]


# --- validation --------------------------------------------------------------------------------

def _codes(rows: list, section: str, problems: list) -> None:
    seen = set()
    for n, row in enumerate(rows, 1):
        code = row.get("code") if isinstance(row, dict) else None
        if not isinstance(code, str) or not _KEY.match(code):
            problems.append(_l("%(section)s, item %(n)d: the code must be 2 to 40 lower-case letters, digits or "
                               "underscores, starting with a letter.", section=section, n=n))
        elif code in seen:
            problems.append(_l("%(section)s: two items have the code %(code)s.", section=section, code=code))
        seen.add(code)
        if not isinstance(row, dict) or not str(row.get("name") or "").strip():
            problems.append(_l("%(section)s, item %(n)d: enter a name.", section=section, n=n))


def _number(value, minimum: float = 0) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number >= Decimal(str(minimum)) else None


def validate(bundle: Any) -> list:
    """Every problem of a bundle, as messages for the person who made it (empty: it is valid)."""
    from webapp.activities.models import Cadence
    from webapp.evaluations.models import IndicatorSource

    if not isinstance(bundle, dict):
        return [_l("The template file is not a template.")]
    problems: list = []
    unknown = sorted(set(bundle) - set(SECTIONS))
    if unknown:
        problems.append(_l("Unknown parts: %(names)s.", names=", ".join(unknown)))
    if not isinstance(bundle.get("key"), str) or not _KEY.match(bundle["key"]):
        problems.append(_l("The template's key must be 2 to 40 lower-case letters, digits or underscores, starting "
                           "with a letter."))
    if not str(bundle.get("name") or "").strip() or len(str(bundle.get("name"))) > 96:
        problems.append(_l("Give the template a name (at most 96 characters)."))
    if not isinstance(bundle.get("version"), int) or bundle["version"] < 1:
        problems.append(_l("The version must be a whole number from 1."))
    for section in ("supervision_groups", "activity_types", "opinion_categories", "responsible_units"):
        if not isinstance(bundle.get(section, []), list):
            problems.append(_l("%(section)s must be a list.", section=section))
            return problems
    settings = bundle.get("settings", {})
    if not isinstance(settings, dict):
        return [*problems, _l("settings must be an object.")]
    rule = settings.get("reception_day")
    if rule is not None:
        if not isinstance(rule, dict) or rule.get("rule") not in ("day_of_month", "nth_weekday"):
            problems.append(_l("The reception day's rule must be day_of_month or nth_weekday."))
        elif rule["rule"] == "day_of_month" and not (isinstance(rule.get("day"), int) and 1 <= rule["day"] <= 28):
            problems.append(_l("The reception day must be a day from 1 to 28."))
        elif rule["rule"] == "nth_weekday" and not (isinstance(rule.get("weekday"), int) and 0 <= rule["weekday"] <= 6
                                                   and isinstance(rule.get("nth"), int) and 1 <= rule["nth"] <= 4):
            problems.append(_l("The reception day needs a weekday from 0 (Monday) to 6 and a week from 1 to 4."))
        elif rule.get("holiday_policy", "next_working_day") not in ("next_working_day", "previous_working_day"):
            problems.append(_l("The holiday policy must be next_working_day or previous_working_day."))
    problems.extend(_validate_compliance(settings.get("compliance")))
    _codes(bundle.get("supervision_groups", []), "supervision_groups", problems)
    types = bundle.get("activity_types", [])
    _codes(types, "activity_types", problems)
    cadences = {c.value for c in Cadence}
    for t in types:
        if isinstance(t, dict) and t.get("cadence") not in cadences:
            problems.append(_l("Activity type %(code)s: the cadence must be one of %(values)s.",
                               code=t.get("code"), values=", ".join(sorted(cadences))))
        lowest = 0 if isinstance(t, dict) and t.get("cadence") == "as_needed" else 1
        if isinstance(t, dict) and not (isinstance(t.get("expected", 1), int) and lowest <= t.get("expected", 1) <= 31):
            problems.append(_l("Activity type %(code)s: expect from 1 to 31 per period.", code=t.get("code")))
    categories = bundle.get("opinion_categories", [])
    _codes(categories, "opinion_categories", problems)
    for c in categories:
        if not isinstance(c, dict):
            continue
        deadline, warning = c.get("deadline_days", 15), c.get("warning_days", 3)
        if not (isinstance(deadline, int) and 1 <= deadline <= 365 and isinstance(warning, int)
                and 0 <= warning < deadline):
            problems.append(_l("Opinion category %(code)s: the deadline must be 1 to 365 working days and the "
                               "warning shorter than it.", code=c.get("code")))
    names = [u.get("name") if isinstance(u, dict) else None for u in bundle.get("responsible_units", [])]
    if any(not str(n or "").strip() for n in names) or len(set(names)) != len(names):
        problems.append(_l("Responsible units need a name each, without repeats."))
    evaluation = bundle.get("evaluation")
    if evaluation is not None:
        problems.extend(_validate_evaluation(evaluation, {s.value for s in IndicatorSource}))
    return problems


def _validate_compliance(compliance: Any) -> list:
    """The compliance expectations a committee scores the town by: for each, [met, partly] —
    percentages at least (met >= partly, within 0–100), counts at most (met <= partly)."""
    from webapp.committees.rollups import DEFAULT_EXPECTATIONS, PERCENT_EXPECTATIONS

    if compliance is None:
        return []
    if not isinstance(compliance, dict):
        return [_l("The compliance expectations must be an object.")]
    problems: list = []
    for key, pair in compliance.items():
        if key not in DEFAULT_EXPECTATIONS:
            problems.append(_l("There is no compliance expectation called %(key)s.", key=key))
            continue
        numbers = [_number(v) for v in pair] if isinstance(pair, list) and len(pair) == 2 else [None]
        if any(n is None for n in numbers):
            problems.append(_l("Compliance expectation %(key)s: give two numbers, met and partly met.", key=key))
        elif key in PERCENT_EXPECTATIONS and not (100 >= numbers[0] >= numbers[1]):
            problems.append(_l("Compliance expectation %(key)s: met is a percentage at least as high as partly met.",
                               key=key))
        elif key not in PERCENT_EXPECTATIONS and not numbers[0] <= numbers[1]:
            problems.append(_l("Compliance expectation %(key)s: met allows at most as many as partly met.", key=key))
    return problems


def _validate_evaluation(evaluation: Any, sources: set[str]) -> list:
    """The evaluation template, checked by the evaluation area's own rules (caps × weights add
    up to the maximum, grade lines descending) on a copy that is never stored."""
    from webapp.evaluations.models import EvaluationIndicator, EvaluationTemplate
    from webapp.evaluations.services import SOURCES, EvaluationError, validate_template

    if not isinstance(evaluation, dict) or not str(evaluation.get("name") or "").strip():
        return [_l("The evaluation template needs a name.")]
    problems: list = []
    indicators = evaluation.get("indicators", [])
    if not isinstance(indicators, list):
        return [_l("The evaluation's indicators must be a list.")]
    _codes(indicators, "evaluation.indicators", problems)
    template = EvaluationTemplate(name=evaluation["name"], version=1, grades=evaluation.get("grades", []),
                                  outstanding_count=evaluation.get("outstanding_count", 10),
                                  max_total=_number(evaluation.get("max_total", 100)) or Decimal(-1))
    for i in indicators:
        if not isinstance(i, dict):
            continue
        if i.get("source") not in sources:
            problems.append(_l("Indicator %(code)s: the source must be computed or entered.", code=i.get("code")))
        elif i["source"] == "computed" and i.get("code") not in SOURCES:
            problems.append(_l("Indicator %(code)s is marked computed, but nothing counts it; make it entered.",
                               code=i.get("code")))
        values = {k: _number(i.get(k, 0)) for k in ("base", "extra", "cap", "weight")}
        if any(v is None for v in values.values()):
            problems.append(_l("Indicator %(code)s: points, caps and weights are numbers from 0.", code=i.get("code")))
            continue
        template.indicators.append(EvaluationIndicator(
            code=i.get("code"), name=i.get("name"), category=i.get("category", ""), base_points=values["base"],
            points_per_extra=values["extra"], cap=values["cap"], weight=values["weight"]))
    if problems:
        return problems
    try:
        if not all(isinstance(g, dict) and str(g.get("grade") or "").strip() and _number(g.get("min")) is not None
                   for g in template.grades):
            raise EvaluationError(_l("Each grade needs a name and a minimum."), "grades")
        validate_template(template)
    except EvaluationError as err:
        problems.append(err.message)
    finally:
        template.indicators.clear()
    return problems


def check(bundle: Any) -> dict[str, Any]:
    """The bundle if it is valid, else InvalidTemplate listing every problem."""
    problems = validate(bundle)
    if problems:
        raise InvalidTemplate(problems)
    return bundle
