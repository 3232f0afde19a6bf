"""When a town's reception day falls: its rule (the 5th; the first Friday ...) moved by its
holiday policy over China's public holidays and make-up working days (调休)."""

from __future__ import annotations

import calendar as _calendar
import functools
from datetime import date, timedelta
from typing import Any

import holidays


@functools.cache
def _china(year: int):
    return holidays.country_holidays("CN", years=range(year - 1, year + 2))


def is_working_day(day: date) -> bool:
    """A weekday that is not a public holiday, or a weekend made a working day (调休)."""
    return _china(day.year).is_working_day(day)


def nominal_day(rule: dict[str, Any], year: int, month: int) -> date:
    """The day the rule names in a month, before the holiday policy."""
    if rule.get("rule") == "nth_weekday":
        weekday, nth = int(rule.get("weekday", 4)), int(rule.get("nth", 1))
        days = [d for d in _calendar.Calendar().itermonthdates(year, month)
                if d.month == month and d.weekday() == weekday]
        return days[-1] if nth >= 5 else days[min(nth, len(days)) - 1]
    last = _calendar.monthrange(year, month)[1]
    return date(year, month, min(int(rule.get("day", 5)), last))


def reception_day(rule: dict[str, Any], year: int, month: int) -> date:
    """The day itself: moved to the next (or previous) working day when the rule's day is not one."""
    day = nominal_day(rule, year, month)
    step = timedelta(days=-1 if rule.get("holiday_policy") == "previous_working_day" else 1)
    if rule.get("holiday_policy") in ("next_working_day", "previous_working_day"):
        while not is_working_day(day):
            day += step
    return day


def year_schedule(rule: dict[str, Any], year: int) -> list[date]:
    return [reception_day(rule, year, month) for month in range(1, 13)]


def add_working_days(start: date, days: int) -> date:
    """The day `days` working days after `start` (start itself not counted): a deadline of
    15 working days from an assignment on 2026-09-28 skips National Day and lands after
    the make-up Saturday is counted as a working day."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def subtract_working_days(end: date, days: int) -> date:
    """The working day `days` working days before `end` (for the warning threshold)."""
    day = end
    remaining = days
    while remaining > 0:
        day -= timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day
