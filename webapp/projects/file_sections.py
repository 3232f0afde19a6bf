"""What the five ones put into each deputy's file (一人一档): the briefings, inspections and
reviews the deputy took part in."""

from __future__ import annotations
