"""Projects, groups, briefings, inspections, findings, reviews and votes in the JSON API."""

from __future__ import annotations
