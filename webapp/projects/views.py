"""Project pages: the town's project board, a project's page and timeline, groups and their
members, the supervision records (briefings, inspections, half-year reports) and the
rectification ledger."""

from __future__ import annotations

from ..access import town_blueprint
from . import bp

town_blueprint(bp)

from . import review_views as _review_views  # noqa: E402,F401
