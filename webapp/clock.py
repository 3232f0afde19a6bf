"""The platform's clock. Every date a town sees (an opinion's received day, a deadline, the
night's rollup, "overdue since") is a date where the towns are: Beijing time, whatever the
host's clock is set to. A container or a cloud host usually runs in UTC, where from 00:00 to
08:00 Beijing time `date.today()` would still be yesterday.

`create_app` makes the process's local time the platform's time zone (LIAISON_TIMEZONE,
default Asia/Shanghai), so `date.today()` everywhere (web, workers and their work horses,
scheduler, CLI) is the town's day. The zone is set as its POSIX rule (Asia/Shanghai:
"CST-8"), read from the zone's TZif data, so it works on a slim image without the system's
zoneinfo files too (the `tzdata` wheel provides them). Aware timestamps are unaffected.
"""

from __future__ import annotations

import importlib.resources
import os
import time
import zoneinfo
from pathlib import Path

DEFAULT_TIMEZONE = "Asia/Shanghai"


def posix_rule(name: str) -> str:
    """The POSIX TZ rule of an IANA time zone (the footer of its TZif data). Raises
    ValueError for a name that is not a time zone."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"LIAISON_TIMEZONE={name!r} is not a time zone (e.g. Asia/Shanghai)") from exc
    data = None
    for root in zoneinfo.TZPATH:
        path = Path(root) / name
        if path.is_file():
            data = path.read_bytes()
            break
    if data is None:
        data = importlib.resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).read_bytes()
    footer = data.rstrip(b"\n").rsplit(b"\n", 1)[-1] if data[4:5] not in (b"\0", b"") else b""
    if not data.startswith(b"TZif") or not footer or footer.startswith(b"TZif"):
        raise ValueError(f"the time zone {name!r} has no POSIX rule in its data")
    return footer.decode("ascii")


def use_timezone(name: str = DEFAULT_TIMEZONE) -> str:
    """Make `name` this process's local time zone (and its children's). Returns the rule set."""
    rule = posix_rule(name)
    if os.environ.get("TZ") != rule:
        os.environ["TZ"] = rule
        time.tzset()
    return rule
