"""Reading a town's configuration for people."""

from __future__ import annotations

from flask_babel import gettext as _

def _weekday(n: int) -> str:
    names = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
    return names[n % 7]


def _holiday_policy(policy: str) -> str:
    return {
        "next_working_day": _("moved to the next working day when it falls on a holiday or weekend"),
        "previous_working_day": _("moved to the previous working day when it falls on a holiday or weekend"),
    }.get(policy, "")


def reception_rule_text(rule: dict) -> str:
    """'The 5th of every month, 08:30–11:30, moved to the next working day ...'"""
    if not rule:
        return _("No reception day is set yet.")
    if rule.get("rule") == "day_of_month":
        day = _("Day %(day)d of every month", day=int(rule.get("day", 1)))
    elif rule.get("rule") == "nth_weekday":
        weekday = _weekday(int(rule.get("weekday", 0)))
        phrases = [
            lambda: _("The first %(weekday)s of every month", weekday=weekday),
            lambda: _("The second %(weekday)s of every month", weekday=weekday),
            lambda: _("The third %(weekday)s of every month", weekday=weekday),
            lambda: _("The fourth %(weekday)s of every month", weekday=weekday),
            lambda: _("The last %(weekday)s of every month", weekday=weekday),
        ]
        day = phrases[min(max(int(rule.get("nth", 1)), 1), 5) - 1]()
    else:
        return _("No reception day is set yet.")
    parts = [day]
    if rule.get("start") and rule.get("end"):
        parts.append(f"{rule['start']}–{rule['end']}")
    policy = _holiday_policy(rule.get("holiday_policy", ""))
    if policy:
        parts.append(policy)
    return _(", ").join(parts)
