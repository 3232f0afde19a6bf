"""The annual review (一年一审议): the satisfaction vote on each project (paper tallies,
ballot codes for on-site voting), its result against the town's threshold, and the
consultation on next year's candidate projects."""

from __future__ import annotations

from . import bp  # noqa: F401
