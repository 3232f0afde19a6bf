"""Evaluation pages: the town's template, a year's scores with their explanation, objections,
closing the year, the ranking and each deputy's sheet."""

from __future__ import annotations

from ..access import town_blueprint
from . import bp

town_blueprint(bp)
