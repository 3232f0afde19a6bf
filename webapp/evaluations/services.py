"""Deputy evaluation (考评): a year freezes the town's template, counts every computed
indicator from the year's records, takes the presidium's and voters' scores, and explains
each point (which records, which rule, which cap). Deputies object to an item within a
window; staff resolve objections; the presidium closes the year, which freezes the ranking,
the grades, the outstanding shortlist and the re-nomination flags. Callers commit.

The rule of an indicator (the 汝州 standard): no record, no points; the first record gives
`base` points, each further one `extra`, never more than `cap`; the indicator adds
`points × weight` to the total. An entered indicator takes a score between 0 and its cap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record_town
from ..extensions import db
from .models import (EvaluationIndicator, EvaluationResult, EvaluationScore, EvaluationTemplate, EvaluationYear,
                     IndicatorSource, Objection, ObjectionState, YearState)

GRADES = ("excellent", "competent", "basically_competent", "incompetent")
#: the tie rule of the shortlist and the ranking, stated on the results page
TIE_RULE = _l("Equal totals are ordered by the voters' assessment, then the presidium's assessment, then the "
              "number of records counted; deputies still equal share a rank, and at the shortlist's edge "
              "the one first in the roster's pinyin order is taken.")


class EvaluationError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message, self.field = message, field


# --- templates ---------------------------------------------------------------------------------

def validate_template(template: EvaluationTemplate) -> None:
    """Caps and weights non-negative, the caps × weights adding up to the maximum total, the
    grade thresholds descending within it. Raises EvaluationError (nothing is saved by the caller)."""
    total = Decimal(0)
    codes = set()
    for indicator in template.indicators:
        if indicator.code in codes:
            raise EvaluationError(_l("Two indicators have the code %(code)s.", code=indicator.code), "code")
        codes.add(indicator.code)
        for name in ("base_points", "points_per_extra", "cap", "weight"):
            if Decimal(getattr(indicator, name) or 0) < 0:
                raise EvaluationError(_l("%(name)s: points, caps and weights cannot be negative.",
                                         name=indicator.name), f"{name}_{indicator.id}")
        total += Decimal(indicator.cap) * Decimal(indicator.weight)
    if total != Decimal(template.max_total):
        raise EvaluationError(_l("The caps times the weights add up to %(total)s, but the template's maximum "
                                 "is %(max)s: change a weight or a cap.", total=_plain(total),
                                 max=_plain(template.max_total)), "weights")
    minimums = [Decimal(str(g.get("min", 0))) for g in template.grades]
    if minimums != sorted(minimums, reverse=True) or any(m < 0 or m > Decimal(template.max_total) for m in minimums):
        raise EvaluationError(_l("Grade thresholds go from the highest down, between 0 and the maximum."), "grades")
    if template.outstanding_count < 0:
        raise EvaluationError(_l("The number of outstanding deputies cannot be negative."), "outstanding_count")


def _plain(value) -> str:
    return f"{Decimal(value).normalize():f}"


def snapshot_of(template: EvaluationTemplate) -> dict[str, Any]:
    return {
        "template_id": template.id, "name": template.name, "version": template.version,
        "grades": list(template.grades), "outstanding_count": template.outstanding_count,
        "max_total": str(template.max_total),
        "indicators": [{"code": i.code, "category": i.category, "name": i.name, "name_en": i.name_en,
                        "source": i.source.value, "base": str(i.base_points), "extra": str(i.points_per_extra),
                        "cap": str(i.cap), "weight": str(i.weight)} for i in template.indicators],
    }


# --- what each computed indicator counts ----------------------------------------------------------

@dataclass(frozen=True)
class Evidence:
    day: date
    title: str
    kind: str
    id: int


#: indicator code -> (deputy ids, start, end) -> {deputy_id: [Evidence]}; one query each, never one per deputy
SOURCES: dict[str, Callable[[list[int], date, date], dict[int, list[Evidence]]]] = {}


def source(*codes: str):
    def register(func):
        for code in codes:
            SOURCES[code] = func
        return func

    return register


def _activities(deputy_ids, start, end, type_codes, *, lecturer=False) -> dict[int, list[Evidence]]:
    from ..activities.models import Activity, ActivityInvitee, ActivityType

    query = (select(ActivityInvitee.deputy_id, Activity.day, Activity.theme, Activity.id)
             .join(Activity, Activity.id == ActivityInvitee.activity_id)
             .join(ActivityType, ActivityType.id == Activity.type_id)
             .where(ActivityInvitee.deputy_id.in_(deputy_ids), ActivityInvitee.checked_in_at.is_not(None),
                    ActivityType.code.in_(type_codes), Activity.day.between(start, end)))
    out: dict[int, list[Evidence]] = defaultdict(list)
    for deputy_id, day, theme, id_ in db.session.execute(query):
        out[deputy_id].append(Evidence(day, theme, "activity", id_))
    return out


@source("attend_session")
def _sessions(deputy_ids, start, end):
    return _activities(deputy_ids, start, end, ("congress_session",))


@source("training")
def _trainings(deputy_ids, start, end):
    return _activities(deputy_ids, start, end, ("training", "study_session"))


@source("duty_report")
def _duty_reports(deputy_ids, start, end):
    return _activities(deputy_ids, start, end, ("duty_report",))


@source("inspection_research")
def _inspections(deputy_ids, start, end):
    from ..projects.models import SupervisionRecord, record_attendees

    out = _activities(deputy_ids, start, end, ("inspection", "research_visit"))
    for deputy_id, day, kind, id_ in db.session.execute(
            select(record_attendees.c.deputy_id, SupervisionRecord.day, SupervisionRecord.kind, SupervisionRecord.id)
            .join(SupervisionRecord, SupervisionRecord.id == record_attendees.c.record_id)
            .where(record_attendees.c.deputy_id.in_(deputy_ids), SupervisionRecord.day.between(start, end))):
        out[deputy_id].append(Evidence(day, str(_l("Supervision of key projects")), "supervision", id_))
    return out


@source("reception_day")
def _reception_days(deputy_ids, start, end):
    from ..receptions.models import ReceptionDay, RotaEntry

    out: dict[int, list[Evidence]] = defaultdict(list)
    for deputy_id, day, id_ in db.session.execute(
            select(RotaEntry.deputy_id, ReceptionDay.day, ReceptionDay.id)
            .join(ReceptionDay, ReceptionDay.id == RotaEntry.reception_day_id)
            .where(RotaEntry.deputy_id.in_(deputy_ids), RotaEntry.attended.is_(True),
                   ReceptionDay.day.between(start, end))):
        out[deputy_id].append(Evidence(day, str(_l("Reception day")), "reception_day", id_))
    return out


def _opinions(deputy_ids, start, end, *, kind, channels=None, closed_only=False):
    from ..opinions.models import Opinion, State

    query = select(Opinion.deputy_id, Opinion.received_on, Opinion.title, Opinion.id).where(
        Opinion.kind == kind, Opinion.deputy_id.in_(deputy_ids), Opinion.received_on.between(start, end),
        Opinion.state.not_in((State.merged, State.out_of_scope)))
    if channels:
        query = query.where(Opinion.channel.in_(channels))
    if closed_only:
        query = query.where(Opinion.state == State.closed)
    out: dict[int, list[Evidence]] = defaultdict(list)
    for deputy_id, day, title, id_ in db.session.execute(query):
        out[deputy_id].append(Evidence(day, title, kind.value, id_))
    return out


@source("opinions_followed")
def _opinions_followed(deputy_ids, start, end):
    from ..opinions.models import Kind

    return _opinions(deputy_ids, start, end, kind=Kind.opinion, closed_only=True)


@source("grid_work")
def _grid_work(deputy_ids, start, end):
    from ..opinions.models import Channel, Kind

    return _opinions(deputy_ids, start, end, kind=Kind.opinion, channels=(Channel.grid,))


@source("own_suggestion")
def _own_suggestions(deputy_ids, start, end):
    from ..opinions.models import Kind

    return _opinions(deputy_ids, start, end, kind=Kind.suggestion)


@source("seconded_suggestion")
def _seconded(deputy_ids, start, end):
    from ..opinions.models import Opinion, SuggestionSeconder

    out: dict[int, list[Evidence]] = defaultdict(list)
    for deputy_id, day, title, id_ in db.session.execute(
            select(SuggestionSeconder.deputy_id, Opinion.received_on, Opinion.title, Opinion.id)
            .join(Opinion, Opinion.id == SuggestionSeconder.opinion_id)
            .where(SuggestionSeconder.deputy_id.in_(deputy_ids), Opinion.received_on.between(start, end))):
        out[deputy_id].append(Evidence(day, title, "suggestion", id_))
    return out


# --- the rule ------------------------------------------------------------------------------------

def points_for(count: int, base: Decimal, extra: Decimal, cap: Decimal) -> tuple[Decimal, bool]:
    """The points of `count` records, and whether the cap cut them."""
    if count <= 0:
        return Decimal(0), False
    raw = base + extra * (count - 1)
    return (min(raw, cap), raw > cap)


# --- years ---------------------------------------------------------------------------------------

def open_year(*, actor, year: int, objections_until: date | None = None) -> EvaluationYear:
    """Open `year` with the town's current template (validated), frozen in the year."""
    if db.session.scalar(select(EvaluationYear.id).where(EvaluationYear.year == year)):
        raise EvaluationError(_l("The evaluation of %(year)d is already open.", year=year), "year")
    template = db.session.scalars(select(EvaluationTemplate).order_by(EvaluationTemplate.version.desc())).first()
    if template is None:
        raise EvaluationError(_l("The town has no evaluation template."), "year")
    validate_template(template)
    record = EvaluationYear(year=year, template_id=template.id, snapshot=snapshot_of(template), state=YearState.open,
                            objections_until=objections_until)
    db.session.add(record)
    db.session.flush()
    record_town("evaluation.open", actor=actor, target=f"{year} #{record.id}",
                details={"template": template.name, "version": template.version})
    return record


def _serving_ids() -> list[int]:
    from ..deputies.models import Deputy, DeputyStatus

    return list(db.session.scalars(select(Deputy.id).where(Deputy.status == DeputyStatus.serving)))


def _require_open(year: EvaluationYear) -> None:
    if year.state != YearState.open:
        raise EvaluationError(_l("The evaluation of %(year)d is closed: nothing in it changes any more.",
                                 year=year.year), "year")


def compute(year: EvaluationYear, *, deputy_ids: list[int] | None = None, progress=None) -> int:
    """Count every computed indicator for the serving deputies (or `deputy_ids`) from the
    year's records and store the points with their explanation. Idempotent: entered scores
    and resolved objections stay; computed rows are replaced. Returns the deputies computed."""
    _require_open(year)
    ids = deputy_ids or _serving_ids()
    start, end = date(year.year, 1, 1), date(year.year, 12, 31)
    existing = {(s.deputy_id, s.indicator): s for s in db.session.scalars(
        select(EvaluationScore).where(EvaluationScore.year_id == year.id, EvaluationScore.deputy_id.in_(ids)))}
    computed = [i for i in year.snapshot["indicators"] if i["source"] == IndicatorSource.computed.value]
    for n, indicator in enumerate(computed, 1):
        collect = SOURCES.get(indicator["code"])
        found = collect(ids, start, end) if collect else {}
        base, extra, cap = Decimal(indicator["base"]), Decimal(indicator["extra"]), Decimal(indicator["cap"])
        for deputy_id in ids:
            records = sorted(found.get(deputy_id, []), key=lambda e: (e.day, e.id))
            points, capped = points_for(len(records), base, extra, cap)
            explanation = {
                "rule": "counted" if collect else "no_source", "base": str(base), "extra": str(extra), "cap": str(cap),
                "capped": capped, "records": [{"day": e.day.isoformat(), "title": e.title[:80], "kind": e.kind,
                                               "id": e.id} for e in records[:200]]}
            score = existing.get((deputy_id, indicator["code"]))
            if score is None:
                score = EvaluationScore(year_id=year.id, deputy_id=deputy_id, indicator=indicator["code"])
                db.session.add(score)
            score.count, score.points, score.explanation = len(records), points, explanation
        if progress:
            progress(n, len(computed), indicator["code"])
    year.computed_at = datetime.now(UTC)
    db.session.flush()
    return len(ids)


def enter_score(year: EvaluationYear, deputy_id: int, indicator_code: str, points, *, actor) -> EvaluationScore:
    """The presidium's or the voters' score for one deputy, between 0 and the indicator's cap."""
    _require_open(year)
    indicator = next((i for i in year.snapshot["indicators"] if i["code"] == indicator_code), None)
    if indicator is None or indicator["source"] != IndicatorSource.entered.value:
        raise EvaluationError(_l("This indicator is not scored by people."), "indicator")
    try:
        value = Decimal(str(points))
    except Exception:  # noqa: BLE001 - any unreadable number
        raise EvaluationError(_l("Enter a number."), "points") from None
    if not Decimal(0) <= value <= Decimal(indicator["cap"]):
        raise EvaluationError(_l("A score between 0 and %(cap)s.", cap=_plain(indicator["cap"])), "points")
    score = db.session.scalar(select(EvaluationScore).where(
        EvaluationScore.year_id == year.id, EvaluationScore.deputy_id == deputy_id,
        EvaluationScore.indicator == indicator_code))
    if score is None:
        score = EvaluationScore(year_id=year.id, deputy_id=deputy_id, indicator=indicator_code)
        db.session.add(score)
    score.points, score.count = value, 0
    score.explanation = {"rule": "entered", "cap": indicator["cap"], "entered_by": getattr(actor, "display_name", None)}
    db.session.flush()
    record_town("evaluation.score", actor=actor, target=f"{year.year} #{year.id}",
                details={"deputy": deputy_id, "indicator": indicator_code, "points": str(value)})
    return score


# --- objections ------------------------------------------------------------------------------

def object_to(year: EvaluationYear, deputy_id: int, indicator_code: str, reason: str, *, actor,
              today: date | None = None) -> Objection:
    _require_open(year)
    today = today or date.today()
    if year.objections_until is not None and today > year.objections_until:
        raise EvaluationError(_l("Objections were possible until %(day)s.", day=year.objections_until.isoformat()),
                              "reason")
    if not any(i["code"] == indicator_code for i in year.snapshot["indicators"]):
        raise EvaluationError(_l("Choose an item of your score."), "indicator")
    if not (reason or "").strip():
        raise EvaluationError(_l("Say what is wrong with this item."), "reason")
    objection = Objection(year_id=year.id, deputy_id=deputy_id, indicator=indicator_code, reason=reason.strip()[:2000])
    db.session.add(objection)
    db.session.flush()
    record_town("evaluation.objection", actor=actor, target=f"{year.year} #{year.id}",
                details={"deputy": deputy_id, "indicator": indicator_code})
    return objection


def resolve(objection: Objection, *, actor, accept: bool, note: str, points_after=None) -> None:
    """Accept (the item gets `points_after`, within 0..cap) or reject, with a note. Only a
    resolved, accepted objection changes a score."""
    year = db.session.get(EvaluationYear, objection.year_id)
    _require_open(year)
    if objection.state != ObjectionState.open:
        raise EvaluationError(_l("This objection has been resolved already."), "objection")
    if not (note or "").strip():
        raise EvaluationError(_l("Write down how the objection was resolved."), "note")
    indicator = next(i for i in year.snapshot["indicators"] if i["code"] == objection.indicator)
    score = db.session.scalar(select(EvaluationScore).where(
        EvaluationScore.year_id == year.id, EvaluationScore.deputy_id == objection.deputy_id,
        EvaluationScore.indicator == objection.indicator))
    if accept:
        try:
            value = Decimal(str(points_after))
        except Exception:  # noqa: BLE001
            raise EvaluationError(_l("Enter the points the item gets."), "points_after") from None
        if not Decimal(0) <= value <= Decimal(indicator["cap"]):
            raise EvaluationError(_l("A score between 0 and %(cap)s.", cap=_plain(indicator["cap"])), "points_after")
        if score is None:
            score = EvaluationScore(year_id=year.id, deputy_id=objection.deputy_id, indicator=objection.indicator,
                                    points=0, explanation={"rule": "objection"})
            db.session.add(score)
        score.override = value
        objection.points_after = value
    objection.state = ObjectionState.accepted if accept else ObjectionState.rejected
    objection.resolution = note.strip()[:2000]
    objection.resolved_at = datetime.now(UTC)
    objection.resolved_by = getattr(actor, "display_name", None)
    db.session.flush()
    record_town("evaluation.resolve", actor=actor, target=f"{year.year} #{year.id}",
                details={"objection": objection.id, "accepted": accept})


# --- results --------------------------------------------------------------------------------

@dataclass
class Line:
    code: str
    name: str
    source: str
    count: int
    points: Decimal
    weight: Decimal
    weighted: Decimal
    cap: Decimal
    explanation: dict
    overridden: bool


@dataclass
class Sheet:
    deputy_id: int
    name: str
    pinyin: str
    lines: list[Line] = field(default_factory=list)
    total: Decimal = Decimal(0)
    grade: str = ""
    rank: int = 0
    outstanding: bool = False
    renominate: bool = True

    def entered(self, code: str) -> Decimal:
        return next((line.points for line in self.lines if line.code == code), Decimal(0))

    @property
    def records(self) -> int:
        return sum(line.count for line in self.lines)


def grade_of(total: Decimal, grades: list[dict]) -> str:
    for grade in grades:
        if total >= Decimal(str(grade.get("min", 0))):
            return grade["grade"]
    return grades[-1]["grade"] if grades else ""


def sheets(year: EvaluationYear) -> list[Sheet]:
    """Every deputy's sheet, ranked, graded and shortlisted by the stated tie rule."""
    from ..deputies.models import Deputy

    indicators = year.snapshot["indicators"]
    scores = defaultdict(dict)
    for score in db.session.scalars(select(EvaluationScore).where(EvaluationScore.year_id == year.id)):
        scores[score.deputy_id][score.indicator] = score
    names = {d.id: d for d in db.session.scalars(select(Deputy).where(Deputy.id.in_(list(scores))))}
    out = []
    for deputy_id, by_code in scores.items():
        deputy = names.get(deputy_id)
        sheet = Sheet(deputy_id, deputy.name if deputy else str(deputy_id), deputy.name_pinyin if deputy else "")
        for indicator in indicators:
            score = by_code.get(indicator["code"])
            points = Decimal(0) if score is None else (score.override if score.override is not None else score.points)
            weight = Decimal(indicator["weight"])
            sheet.lines.append(Line(indicator["code"], indicator["name"], indicator["source"],
                                    score.count if score else 0, points, weight, points * weight,
                                    Decimal(indicator["cap"]), score.explanation if score else {},
                                    bool(score and score.override is not None)))
        sheet.total = sum((line.weighted for line in sheet.lines), Decimal(0))
        sheet.grade = grade_of(sheet.total, year.snapshot["grades"])
        sheet.renominate = sheet.grade != "incompetent"
        out.append(sheet)

    def order(s: Sheet):
        return (-s.total, -s.entered("voter_assessment"), -s.entered("presidium_assessment"), -s.records)

    out.sort(key=lambda s: (order(s), s.pinyin, s.deputy_id))
    previous = None
    for n, sheet in enumerate(out, 1):
        sheet.rank = previous.rank if previous is not None and order(previous) == order(sheet) else n
        previous = sheet
    quota = int(year.snapshot.get("outstanding_count") or 0)
    for sheet in out[:quota]:
        sheet.outstanding = sheet.grade == "excellent"
    return out


def close_year(year: EvaluationYear, *, actor) -> list[Sheet]:
    """The presidium closes the year: refused while objections are open; the results freeze."""
    _require_open(year)
    open_ = db.session.scalar(select(Objection.id).where(Objection.year_id == year.id,
                                                          Objection.state == ObjectionState.open))
    if open_:
        raise EvaluationError(_l("Objections are still open: resolve them before closing the year."), "objections")
    result = sheets(year)
    for sheet in result:
        db.session.add(EvaluationResult(year_id=year.id, deputy_id=sheet.deputy_id, total=sheet.total,
                                        rank=sheet.rank, grade=sheet.grade, outstanding=sheet.outstanding,
                                        renominate=sheet.renominate))
    year.state, year.closed_at = YearState.closed, datetime.now(UTC)
    year.closed_by = getattr(actor, "display_name", None)
    db.session.flush()
    record_town("evaluation.close", actor=actor, target=f"{year.year} #{year.id}",
                details={"deputies": len(result), "outstanding": sum(s.outstanding for s in result)})
    return result
