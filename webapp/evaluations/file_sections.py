"""What the evaluation puts into each deputy's file (一人一档): the year's sheet."""

from __future__ import annotations
