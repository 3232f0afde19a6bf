"""The towns' day: every process of the platform (web, workers, scheduler, CLI) runs on Beijing
time once the app is created, also on a host whose clock zone is UTC, where from 00:00 to
08:00 Beijing time `date.today()` would still give yesterday (webapp/clock.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from webapp.clock import posix_rule

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, os, time
from datetime import date, datetime
from zoneinfo import ZoneInfo
before = time.localtime().tm_gmtoff
from webapp import create_app
app = create_app()
zone = ZoneInfo(app.config["LIAISON_TIMEZONE"])
print(json.dumps({"before": before, "after": time.localtime().tm_gmtoff, "tz": os.environ["TZ"],
                  "today_is_theirs": date.today() == datetime.now(zone).date(),
                  "babel": app.config["BABEL_DEFAULT_TIMEZONE"]}))
"""


def _probe(stack, **env) -> dict:
    env = {**os.environ, "DATABASE_URL": stack.database_url, "REDIS_URL": stack.redis_url, "TZ": "UTC", **env}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_process_on_a_utc_host_runs_on_beijing_time_once_the_app_exists(stack):
    probe = _probe(stack)
    assert probe["before"] == 0  # the host's zone, as the process started
    assert probe == {"before": 0, "after": 8 * 3600, "tz": "CST-8", "today_is_theirs": True,
                     "babel": "Asia/Shanghai"}


def test_the_zone_is_configurable_and_a_wrong_one_is_refused(stack):
    probe = _probe(stack, LIAISON_TIMEZONE="Asia/Kolkata")
    assert probe["after"] == 5 * 3600 + 1800 and probe["babel"] == "Asia/Kolkata" and probe["today_is_theirs"]
    assert posix_rule("Asia/Shanghai") == "CST-8" and posix_rule("Asia/Urumqi") == "<+06>-6"
    with pytest.raises(ValueError, match="LIAISON_TIMEZONE='Mars/Olympus' is not a time zone"):
        posix_rule("Mars/Olympus")
