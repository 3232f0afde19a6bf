"""What opinions put into each deputy's file (一人一档): the opinions they received and
followed, and the suggestions they filed or seconded."""

from __future__ import annotations

from datetime import date

from flask import has_request_context, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..deputies.file import FileEntry, file_section
from ..extensions import db
from .models import Kind, Opinion, State, SuggestionSeconder
from .services import state_labels


def _entries(rows, detail) -> list[FileEntry]:
    link = has_request_context()
    labels = state_labels()
    return [FileEntry(day, title, detail(labels[state.value], extra),
                      link=url_for("opinions.show", opinion_id=id_) if link else None)
            for id_, day, title, state, extra in rows]


@file_section("opinions", _l("Opinions received and followed"), order=30)
def received(deputy_id: int, start: date, end: date) -> list[FileEntry]:
    rows = db.session.execute(
        select(Opinion.id, Opinion.received_on, Opinion.title, Opinion.state, Opinion.channel)
        .where(Opinion.kind == Kind.opinion, Opinion.deputy_id == deputy_id, Opinion.state != State.merged,
               Opinion.received_on.between(start, end))).all()
    return _entries(rows, lambda state, _channel: str(state))


@file_section("suggestions", _l("Suggestions and motions"), order=31)
def suggestions(deputy_id: int, start: date, end: date) -> list[FileEntry]:
    own = db.session.execute(
        select(Opinion.id, Opinion.received_on, Opinion.title, Opinion.state, Opinion.congress_level)
        .where(Opinion.kind == Kind.suggestion, Opinion.deputy_id == deputy_id,
               Opinion.received_on.between(start, end))).all()
    seconded = db.session.execute(
        select(Opinion.id, Opinion.received_on, Opinion.title, Opinion.state, Opinion.congress_level)
        .join(SuggestionSeconder, SuggestionSeconder.opinion_id == Opinion.id)
        .where(SuggestionSeconder.deputy_id == deputy_id, Opinion.received_on.between(start, end))).all()
    filed, second = _l("Filed"), _l("Seconded")  # outside the f-strings: extraction misses calls inside them
    return (_entries(own, lambda state, _level: f"{filed} · {state}")
            + _entries(seconded, lambda state, _level: f"{second} · {state}"))


@file_section("opinion_figures", _l("Opinions: the year's figures"), order=29)
def figures(deputy_id: int, start: date, end: date) -> list[FileEntry]:
    """One line a year from the statistics service (the same figures as the town's page):
    received, resolved, answered on time, satisfied. One query: the months, added up by year."""
    from .stats import Figures, statistics

    years: dict[int, Figures] = {}
    for month, f in statistics(start, end, deputy_id=deputy_id).by_month.items():
        y = years.setdefault(int(month[:4]), Figures())
        for key in ("received", "resolved", "answered_with_deadline", "on_time", "rated", "satisfied"):
            setattr(y, key, getattr(y, key) + getattr(f, key))
    pct = lambda value: "—" if value is None else f"{value}%"  # noqa: E731
    return [FileEntry(min(end, date(year, 12, 31), date.today()), str(_l(
        "%(received)d received, %(resolved)d resolved, %(on_time)s on time, %(satisfied)s satisfied",
        received=total.received, resolved=total.resolved, on_time=pct(total.on_time_pct),
        satisfied=pct(total.satisfaction_pct)))) for year, total in sorted(years.items())]
