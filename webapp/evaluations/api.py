"""Evaluation templates, years, scores, objections and results in the JSON API."""

from __future__ import annotations
